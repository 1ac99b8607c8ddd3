// Address entry help (j240-j260, j510, j520): the municipality's address dictionary (/counter/address-dictionary,
// revalidated by its ETag) fills the address and its 住所コード from a postcode and offers the dictionary's
// addresses, 本籍 and 方書 as suggestions (datalists); a small 世帯番号 search fills the household to join.  The
// 住所カナ入力 and the 都道府県 → 市区町村 → 大字 → 小字 lists are address_pick.js.  No external resources.
(function () {
  "use strict";
  var form = document.querySelector("form[data-address-dictionary]");
  if (!form) { return; }
  var status = document.getElementById("address-help-status");
  var byPostal = {}, byAddress = {};
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
    var addresses = [];
    data.entries.forEach(function (entry) {
      var digits = entry.postal.replace("-", "");
      if (digits && !byPostal[digits]) { byPostal[digits] = entry; }  // the 大字 comes before its 小字
      byAddress[entry.address] = entry;
      addresses.push(entry.address);
    });
    fillList("town-list", addresses);
    fillList("honseki-list", addresses);
    fillList("katagaki-list", data.katagaki || []);
  }

  // The 住所コード field of an address field (filled from the dictionary, never typed).
  function codeFieldOf(target) {
    return document.querySelector("[data-address-code-for='" + target.id + "']");
  }

  function setCode(target, entry) {
    var code = codeFieldOf(target);
    if (!code) { return; }
    code.value = entry ? entry.code : "";
    if (entry) { target.setAttribute("data-dictionary-address", entry.address); }
    else { target.removeAttribute("data-dictionary-address"); }
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
      target.value = found.address;
      target.setAttribute("data-filled", "1");
      setCode(target, found);
      say("郵便番号から住所を「" + found.address + "」と入力しました（住所コード " + found.code + "）。続けて丁目・番地を入力してください。");
    }
  }

  document.querySelectorAll("[data-postal-for]").forEach(function (input) {
    input.addEventListener("input", onPostal);
  });
  document.querySelectorAll("[data-address-input]").forEach(function (input) {
    input.addEventListener("input", function () {
      input.removeAttribute("data-filled");
      var chosen = byAddress[input.value.trim()];
      if (chosen) { setCode(input, chosen); return; }  // an address chosen from the suggestions
      var base = input.getAttribute("data-dictionary-address");
      if (base && input.value.indexOf(base) !== 0) { setCode(input, null); }  // another town now: no code
    });
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

  // 方書 registered at the entered 住所地番 (j520): offered as buttons beside the 方書 field once the address is
  // entered; only this direction (address → 方書) exists.
  var katagakiUrl = form.getAttribute("data-katagaki-lookup");

  function candidateBox(target) {
    return window.JuminCandidateBox(target, "-candidates", "katagaki-candidates", "この住所地番に登録された方書の候補");
  }

  function offerKatagaki(input) {
    var target = document.getElementById(input.getAttribute("data-katagaki-for"));
    var address = input.value.trim();
    if (!target || !katagakiUrl) { return; }
    var box = candidateBox(target);
    if (!address) { return; }
    fetch(katagakiUrl + "?address=" + encodeURIComponent(address), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { candidates: [] }; })
      .then(function (data) {
        if (input.value.trim() !== address) { return; }  // a later entry answers for itself
        box.textContent = "";
        if (!data.candidates.length) { return; }
        var label = document.createElement("span");
        label.className = "muted";
        label.textContent = "この住所地番の方書：";
        box.appendChild(label);
        data.candidates.forEach(function (candidate) {
          var button = document.createElement("button");
          button.type = "button";
          button.className = "secondary katagaki-candidate";
          button.textContent = candidate.name;
          button.title = candidate.kind_label + (candidate.name_kana ? "（" + candidate.name_kana + "）" : "");
          button.addEventListener("click", function () {
            target.value = candidate.name;
            target.focus();
            say("方書を「" + candidate.name + "」と入力しました。部屋番号があれば続けて入力してください。");
          });
          box.appendChild(button);
        });
        say("この住所地番に登録された方書が" + data.candidates.length + "件あります。方書欄の下から選択できます。");
      })
      .catch(function () { box.textContent = ""; });
  }

  document.querySelectorAll("[data-katagaki-for]").forEach(function (input) {
    input.addEventListener("change", function () { offerKatagaki(input); });
    if (input.value.trim()) { offerKatagaki(input); }
  });

  // 本籍 candidates (j510): the entered 現住所 and 転入前住所, the 本籍 of the household joined (世帯主, 世帯員)
  // and those typed for the other persons, asked of the server when a 本籍 field is entered.
  var honsekiUrl = form.getAttribute("data-honseki-lookup");

  function valueOf(id) {
    var field = document.getElementById(id);
    return field && field.value ? field.value.trim() : "";
  }

  function honsekiQuery(input) {
    var params = new URLSearchParams();
    var context = {
      address: valueOf("address"),
      former_address: valueOf("former_address") || valueOf("member-previous_address"),
      household_number: valueOf("household_number"),
      atena_number: valueOf("atena_number")
    };
    Object.keys(context).forEach(function (key) { if (context[key]) { params.append(key, context[key]); } });
    var readmitted = /honseki$/.test(input.id) ? valueOf(input.id.replace(/honseki$/, "re_move_in_of")) : "";
    if (readmitted) { params.append("re_move_in_of", readmitted); }
    document.querySelectorAll("[data-honseki-help]").forEach(function (other) {
      if (other !== input && other.value.trim()) { params.append("entered", other.value.trim()); }
    });
    return params.toString();
  }

  // The 筆頭者 field beside a 本籍 field, or, on a correction, the value of the row whose item is 筆頭者.
  function hittoshaFor(input) {
    if (/honseki$/.test(input.id)) { return document.getElementById(input.id.replace(/honseki$/, "hittosha")); }
    var found = null;
    document.querySelectorAll("select[id^='changes-'][id$='-item']").forEach(function (item) {
      if (item.value === "hittosha") { found = document.getElementById(item.id.replace(/-item$/, "-value")); }
    });
    return found;
  }

  function offerHonseki(input) {
    var query = honsekiQuery(input);
    if (!honsekiUrl || input.getAttribute("data-honseki-asked") === query) { return; }
    input.setAttribute("data-honseki-asked", query);
    var box = candidateBox(input);
    box.setAttribute("aria-label", "本籍の候補");
    var hittosha = hittoshaFor(input);
    fetch(honsekiUrl + "?" + query, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        box.textContent = "";
        if (data.problems && data.problems.length) { say(data.problems[0].message); return; }
        if (data.found === false) { return; }  // the number typed so far is no one's (yet): nothing to offer
        (data.candidates || []).forEach(function (candidate) {
          var button = document.createElement("button");
          button.type = "button";
          button.className = "secondary honseki-candidate";
          button.textContent = candidate.label + "：" + candidate.honseki;
          button.addEventListener("click", function () {
            input.value = candidate.honseki;
            if (hittosha && candidate.hittosha && !hittosha.value) { hittosha.value = candidate.hittosha; }
            input.focus();
            say("本籍を「" + candidate.honseki + "」（" + candidate.label + "）と入力しました。");
          });
          box.appendChild(button);
        });
      })
      .catch(function () { box.textContent = ""; });
  }

  document.querySelectorAll("[data-honseki-help]").forEach(function (input) {
    input.addEventListener("focus", function () { offerHonseki(input); });
  });
  // A correction's row (修正する項目 = 本籍): the same candidates for the person named by 宛名番号.
  document.querySelectorAll("select[id^='changes-'][id$='-item']").forEach(function (item) {
    var value = document.getElementById(item.id.replace(/-item$/, "-value"));
    if (!value) { return; }
    value.addEventListener("focus", function () { if (item.value === "honseki") { offerHonseki(value); } });
  });

  // 世帯番号 search (join an existing household, j470).
  var lookup = document.querySelector(".household-lookup");
  var number = document.getElementById("household_number");
  if (!lookup || !number) { return; }
  lookup.hidden = false;
  var results = document.getElementById("household-results");
  // Enter in the kana box searches the households; it must not submit the half-filled intake (whose default
  // button is 確定).  Enter that only confirms an IME conversion is left alone.
  document.getElementById("household-kana").addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.isComposing) { return; }
    event.preventDefault();
    document.getElementById("household-search").click();
  });
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
