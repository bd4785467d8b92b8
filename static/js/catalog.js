// Progressive enhancement for the catalog: apply a filter as soon as it changes.
// Without JavaScript the "Apply" button does the same.
(function () {
  "use strict";
  var form = document.getElementById("filter-form");
  if (!form) return;
  // On narrow screens start with the filters folded so results come first.
  var details = form.closest("details");
  if (details && window.matchMedia("(max-width: 900px)").matches) {
    details.open = false;
  }
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.tagName === "SELECT" || target.type === "checkbox") {
      form.submit();
    }
  });
})();
