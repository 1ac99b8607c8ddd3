// The group of candidate buttons under a form field (方書 and 本籍 candidates in address_help.js, 前入力データの
// 複写 in entry_copy.js): made once per field and kind, emptied for each new offer.  Loaded before both scripts.
(function () {
  "use strict";
  window.JuminCandidateBox = function (target, suffix, className, label) {
    var id = target.id + suffix;
    var box = document.getElementById(id);
    if (!box) {
      box = document.createElement("div");
      box.id = id;
      box.className = className;
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", label);
      target.parentNode.appendChild(box);
    }
    box.textContent = "";
    return box;
  };
})();
