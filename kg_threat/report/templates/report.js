(function () {
  "use strict";
  var form = document.getElementById("risk-filter");
  if (!form) { return; }
  form.hidden = false;
  function apply() {
    var shown = {};
    form.querySelectorAll("input[name=risk]").forEach(function (box) { shown[box.value] = box.checked; });
    var openOnly = form.querySelector("input[name=unmitigated]").checked;
    document.querySelectorAll("#findings [data-risk]").forEach(function (el) {
      el.hidden = !shown[el.getAttribute("data-risk")] ||
        (openOnly && el.getAttribute("data-unmitigated") === "0");
    });
    document.querySelectorAll("#findings tr[data-status]").forEach(function (row) {
      row.hidden = openOnly && row.getAttribute("data-status") !== "unmitigated";
    });
  }
  form.addEventListener("change", apply);
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
})();
