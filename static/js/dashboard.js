// Staff dashboard enhancements; every page works without this file.
(function () {
  "use strict";

  // Confirm before destructive buttons (data-confirm="question").
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // The menu is a <details> (folded on a phone); keep it open on a wide screen in
  // browsers whose CSS cannot (no ::details-content).
  var menu = document.querySelector("details.dash-menu");
  if (menu && window.matchMedia("(min-width: 761px)").matches) {
    menu.open = true;
  }

  // Packing slip: a print button (the page says Ctrl+P for browsers without JS).
  document.querySelectorAll(".js-print").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  // Photo upload: drop files on the form to choose and send them.
  document.querySelectorAll("form[data-dropzone]").forEach(function (form) {
    var input = form.querySelector('input[type="file"]');
    var hint = form.querySelector(".dropzone-hint");
    if (!input || typeof DataTransfer === "undefined") { return; }
    if (hint) { hint.hidden = false; }
    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) {
        event.preventDefault();
        form.classList.add("is-dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      form.addEventListener(name, function () { form.classList.remove("is-dragging"); });
    });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      var files = event.dataTransfer && event.dataTransfer.files;
      if (!files || !files.length) { return; }
      var chosen = new DataTransfer();
      Array.prototype.forEach.call(files, function (file) { chosen.items.add(file); });
      input.files = chosen.files;
      form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  });
})();
