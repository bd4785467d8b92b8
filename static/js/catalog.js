// Progressive enhancement for the catalog: apply a filter as soon as it changes.
// Without JavaScript the "Apply" button does the same.
(function () {
  "use strict";
  var form = document.getElementById("filter-form");
  if (!form) return;
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.tagName === "SELECT" || target.type === "checkbox") {
      form.submit();
    }
  });
})();
