/* The extraction condition builder: "行を追加" copies the last condition row with the next index (rows-N-…),
   empty; "この行を削除" empties a row (an empty row is ignored by the server).  Works without it: three rows. */
(function () {
  "use strict";
  var list = document.getElementById("condition-rows");
  var add = document.getElementById("add-condition-row");
  if (!list || !add) { return; }

  function renumber(row, index) {
    row.querySelectorAll("[name], [id], [for]").forEach(function (el) {
      ["name", "id", "for"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) { el.setAttribute(attr, value.replace(/rows-\d+-/, "rows-" + index + "-")); }
      });
    });
    var legend = row.querySelector("[data-role=row-number]");
    if (legend) { legend.textContent = String(index + 1); }
  }

  add.addEventListener("click", function () {
    var rows = list.querySelectorAll("[data-role=condition-row]");
    var last = rows[rows.length - 1];
    var copy = last.cloneNode(true);
    renumber(copy, rows.length);
    copy.querySelectorAll("input").forEach(function (input) { input.value = ""; });
    copy.querySelectorAll("select").forEach(function (select) { select.selectedIndex = 0; });
    list.appendChild(copy);
    copy.querySelector("select").focus();
  });

  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-role=clear-row]");
    if (!button) { return; }
    var row = button.closest("[data-role=condition-row]");
    row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
    row.querySelectorAll("select").forEach(function (select) { select.selectedIndex = 0; });
    row.querySelector("select").focus();
  });
}());
