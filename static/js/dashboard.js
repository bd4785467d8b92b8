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

  // Photo upload: send the chosen files one per request (each well within the server's
  // time limit), showing progress; then load the edit page, which shows what was added
  // or refused and why. Without this the form posts them all at once.
  document.querySelectorAll("form[data-one-by-one]").forEach(function (form) {
    var input = form.querySelector('input[type="file"]');
    var box = form.querySelector(".upload-progress");
    if (!input || !box || !window.fetch || !window.FormData) { return; }
    var bar = box.querySelector("progress");
    var status = box.querySelector(".upload-status");
    var done = box.querySelector(".upload-done");
    var button = form.querySelector('button[type="submit"]');
    var token = form.querySelector('input[name="csrf_token"]');
    form.addEventListener("submit", function (event) {
      var files = Array.prototype.slice.call(input.files || []);
      if (!files.length) { return; }  // the server says to choose a file
      event.preventDefault();
      var failed = [];
      var index = 0;
      box.hidden = false;
      done.hidden = true;
      bar.max = files.length;
      bar.value = 0;
      if (button) { button.disabled = true; }
      function finish() {
        if (!failed.length) {
          var target = form.getAttribute("data-done-url");
          if (window.location.pathname === target) {
            window.location.hash = "photos";
            window.location.reload();
          } else {
            window.location.assign(target + "#photos");
          }
          return;
        }
        status.textContent = status.getAttribute("data-failed").replace("{names}", failed.join(", "));
        done.hidden = false;
        if (button) { button.disabled = false; }
      }
      function next() {
        if (index >= files.length) { finish(); return; }
        var file = files[index];
        status.textContent = status.getAttribute("data-sending")
          .replace("{n}", String(index + 1)).replace("{total}", String(files.length))
          .replace("{name}", file.name);
        var data = new FormData();
        if (token) { data.append("csrf_token", token.value); }
        data.append("photos", file, file.name);
        fetch(form.action, {
          method: "POST",
          body: data,
          credentials: "same-origin",
          headers: { "Accept": "application/json" }
        }).then(function (response) {
          if (!response.ok) { failed.push(file.name); }
        }, function () {
          failed.push(file.name);
        }).then(function () {
          index += 1;
          bar.value = index;
          next();
        });
      }
      next();
    });
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
