// Address entry help (j240-j260, j510, j520): the bundled dictionary of the user's municipality
// (static/data/addresses_<code>.json) fills the address from a postcode and offers towns, 本籍 and 方書 as
// suggestions (datalists), and a small 世帯番号 search fills the household to join.  No external resources.
(function () {
  "use strict";
  var form = document.querySelector("form[data-address-dictionary]");
  if (!form) { return; }
  var status = document.getElementById("address-help-status");
  var byPostal = {};
  var loaded = false;  // a postcode typed before the dictionary is in is looked up again once it is

  function say(text) { if (status) { status.textContent = text; } }

  function fillList(id, values) {
    var list = document.getElementById(id);
    if (!list) { return; }
    values.forEach(function (value) {
      var option = document.createElement("option");
      option.value = value;
      list.appendChild(option);
    });
  }

  function load(data) {
    var towns = [], honseki = [];
    data.towns.forEach(function (town) {
      var base = data.municipality + town.ward + town.town;
      byPostal[town.postal.replace("-", "")] = base;
      honseki.push(base);
      if (town.chome.length) {
        town.chome.forEach(function (chome) { towns.push(base + chome); });
      } else {
        towns.push(base);
      }
    });
    fillList("town-list", towns);
    fillList("honseki-list", honseki);
    fillList("katagaki-list", data.katagaki || []);
  }

  function onPostal(event) { lookUp(event.target); }

  function lookUp(input) {
    var digits = input.value.replace(/[^0-9０-９]/g, "").replace(/[０-９]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
    });
    if (digits.length !== 7 || !loaded) { return; }
    var target = document.getElementById(input.getAttribute("data-postal-for"));
    var found = byPostal[digits];
    if (!target) { return; }
    if (!found) { say("郵便番号 " + digits + " は住所辞書にありません。住所を入力してください。"); return; }
    if (!target.value || target.getAttribute("data-filled") === "1") {
      target.value = found;
      target.setAttribute("data-filled", "1");
      say("郵便番号から住所を「" + found + "」と入力しました。続けて丁目・番地を入力してください。");
    }
  }

  document.querySelectorAll("[data-postal-for]").forEach(function (input) {
    input.addEventListener("input", onPostal);
  });
  document.querySelectorAll("[data-address-input]").forEach(function (input) {
    input.addEventListener("input", function () { input.removeAttribute("data-filled"); });
  });

  fetch(form.getAttribute("data-address-dictionary"), { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      if (!data) { return; }
      load(data);
      loaded = true;
      document.querySelectorAll("[data-postal-for]").forEach(lookUp);
    })
    .catch(function () { say(""); });

  // 世帯番号 search (join an existing household, j470).
  var lookup = document.querySelector(".household-lookup");
  var number = document.getElementById("household_number");
  if (!lookup || !number) { return; }
  lookup.hidden = false;
  var results = document.getElementById("household-results");
  document.getElementById("household-search").addEventListener("click", function () {
    var kana = document.getElementById("household-kana").value.trim();
    if (!kana) { results.textContent = "カナ氏名を入力してください。"; return; }
    var url = form.getAttribute("data-household-lookup") + "?kana=" + encodeURIComponent(kana);
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      results.textContent = "";
      if (!data.households.length) { results.textContent = "該当する世帯はありません。"; return; }
      data.households.forEach(function (household) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "secondary";
        button.textContent = "世帯番号 " + household.household_number + "（" + household.names.join("、") + "／" + household.address + "）を選ぶ";
        button.addEventListener("click", function () {
          number.value = household.household_number;
          var join = document.getElementById("join_existing");
          if (join) { join.checked = true; }
          number.focus();
        });
        results.appendChild(button);
      });
    });
  });
})();
