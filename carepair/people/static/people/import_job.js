// Follows an import job: asks the server for its progress every second and moves the
// bar; when the job has finished, reloads the page, which then shows the result.
(function () {
  var box = document.getElementById("import-job");
  var url = box && box.dataset.statusUrl;
  if (!url) return;
  function field(name) { return box.querySelector("[data-field=" + name + "]"); }

  function show(status) {
    var bar = field("bar");
    if (bar) { bar.value = status.percent; bar.textContent = status.percent + "%"; }
    field("state").textContent = status.state_label;
    field("done").textContent = status.rows_done;
    field("total").textContent = status.rows_total;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (status) {
        if (!status) { setTimeout(poll, 3000); return; }
        show(status);
        if (status.finished) { window.location.reload(); } else { setTimeout(poll, 1000); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
