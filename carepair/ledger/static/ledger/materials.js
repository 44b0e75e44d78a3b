// "Add another item" on the record form: clone the formset's empty row and renumber it.
(function () {
  var button = document.getElementById("add-material");
  var rows = document.getElementById("material-rows");
  var template = document.getElementById("material-empty");
  var total = document.getElementById("id_materials-TOTAL_FORMS");
  if (!button || !rows || !template || !total) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var first = rows.lastElementChild && rows.lastElementChild.querySelector("input");
    if (first) first.focus();
  });
})();
