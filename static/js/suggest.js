// Search box completions (issue 14): product names and categories from /produk/saran as
// the visitor types, offered through a <datalist>. Without JavaScript the box is a plain
// search box; nothing here is needed to search.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("input[data-suggest]");
  Array.prototype.forEach.call(boxes, function (box, n) {
    var list = document.createElement("datalist");
    list.id = "suggest-" + n;
    box.parentNode.appendChild(list);
    box.setAttribute("list", list.id);
    var timer = null;
    var asked = "";
    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var q = box.value.trim();
        if (q.length < 2 || q === asked) return;
        asked = q;
        fetch(box.getAttribute("data-suggest") + "?q=" + encodeURIComponent(q), {
          headers: { Accept: "application/json" },
          credentials: "omit",
        })
          .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
          .then(function (data) {
            if (box.value.trim() !== q) return;
            list.textContent = "";
            data.suggestions.forEach(function (text) {
              var option = document.createElement("option");
              option.value = text;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 150);
    });
  });
})();
