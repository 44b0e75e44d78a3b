// Follows a comparison run: asks the server how far it has got every two seconds; when
// the run has finished, reloads the page, which then shows the findings.
(function () {
  var box = document.getElementById("comparison-run");
  var url = box && box.dataset.statusUrl;
  if (!url) return;
  function field(name) { return box.querySelector("[data-field=" + name + "]"); }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (status) {
        if (!status) { setTimeout(poll, 4000); return; }
        field("state").textContent = status.state_label;
        if (status.stage_label) { field("stage").textContent = status.stage_label; }
        field("seconds").textContent = status.seconds;
        if (status.finished) { window.location.reload(); } else { setTimeout(poll, 2000); }
      })
      .catch(function () { setTimeout(poll, 4000); });
  }
  setTimeout(poll, 1500);
})();
