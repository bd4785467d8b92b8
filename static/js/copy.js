// Copy buttons for the bank-transfer details (order page). Without this file the
// buttons stay hidden and the amount and account number are ordinary selectable text.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("button.copy-button[data-copy]");
  if (!buttons.length) return;

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var field = document.createElement("textarea");
      field.value = text;
      field.setAttribute("readonly", "");
      field.style.position = "fixed";
      field.style.opacity = "0";
      document.body.appendChild(field);
      field.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (error) { ok = false; }
      document.body.removeChild(field);
      if (ok) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  function selectNear(button) {
    // Copying was refused: select the number beside the button so a long press copies it.
    var target = button.parentNode.querySelector(".nowrap");
    if (!target || !window.getSelection) return;
    var range = document.createRange();
    range.selectNodeContents(target);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  buttons.forEach(function (button) {
    button.setAttribute("data-label", button.textContent);
    button.hidden = false;
    button.addEventListener("click", function () {
      buttons.forEach(function (other) {
        other.textContent = other.getAttribute("data-label");
        other.classList.remove("is-copied");
      });
      copyText(button.getAttribute("data-copy")).then(function () {
        button.textContent = button.getAttribute("data-copied");
        button.classList.add("is-copied");
      }, function () { selectNear(button); });
    });
  });
})();
