// 住所辞書の引用 (j250) on the intake page: beside each address with a 住所コード field, the 住所カナ入力 (the first
// kana of each level, 「カ ヨ ナ ヤ」 or 「ナ ヤ」) offers the dictionary's addresses; beside it and beside each 本籍,
// lists 都道府県 → 市区町村 → 大字 → 小字 choose one.  A chosen entry fills the address, its postcode and 住所コード
// (a 本籍: the text only); a 市区町村 outside this municipality ends the lists, the rest is typed.
(function () {
  "use strict";
  var form = document.querySelector("form[data-address-kana-lookup]");
  if (!form) { return; }
  var kanaUrl = form.getAttribute("data-address-kana-lookup");
  var levelsUrl = form.getAttribute("data-address-levels-lookup");
  var status = document.getElementById("address-help-status");

  function say(text) { if (status) { status.textContent = text; } }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  // Fill the address (and, for a 住所, its postcode and 住所コード) from a chosen option or candidate.
  function fill(target, choice) {
    target.value = choice.address;
    target.removeAttribute("data-filled");
    var code = document.querySelector("[data-address-code-for='" + target.id + "']");
    if (code) {
      code.value = choice.code || "";
      if (choice.code) { target.setAttribute("data-dictionary-address", choice.address); }
    }
    var postal = document.querySelector("[data-postal-for='" + target.id + "']");
    if (postal && choice.postal) { postal.value = choice.postal; }
    target.dispatchEvent(new Event("change"));  // the 方書 candidates of the address (address_help.js)
    target.focus();
    say("住所を「" + choice.address + "」と入力しました" + (choice.code ? "（住所コード " + choice.code + "）" : "") +
        "。続けて" + (choice.code ? "丁目・番地" : "残りの住所") + "を入力してください。");
  }

  function kanaInput(target, box) {
    var id = target.id + "-kana";
    var label = element("label", "", "住所カナ入力（各階層の頭のカナ。例：カ ヨ ナ ヤ）");
    label.htmlFor = id;
    var input = element("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    var results = element("div", "address-candidates");
    results.id = id + "-candidates";
    results.setAttribute("role", "group");
    results.setAttribute("aria-label", "住所カナ入力の候補");
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { askKana(input, results, target); }, 200);
    });
    // Enter here asks for the candidates at once; it must not submit the half-filled intake (the form's default
    // button is 確定).  Enter that only confirms an IME conversion is left alone.
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.isComposing) { return; }
      event.preventDefault();
      clearTimeout(timer);
      askKana(input, results, target);
    });
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(results);
  }

  function askKana(input, results, target) {
    var query = input.value.trim();
    results.textContent = "";
    if (!query) { return; }
    fetch(kanaUrl + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (input.value.trim() !== query) { return; }  // a later entry answers for itself
        results.textContent = "";
        if (data.problems && data.problems.length) { say(data.problems[0].message); return; }
        if (!data.candidates.length) { say("住所カナ「" + query + "」に当たる住所は住所辞書にありません。"); return; }
        data.candidates.forEach(function (candidate) {
          var button = element("button", "secondary address-candidate",
                               candidate.address + (candidate.postal ? "（" + candidate.postal + "）" : ""));
          button.type = "button";
          button.title = candidate.kana + "　住所コード " + candidate.code;
          button.addEventListener("click", function () { fill(target, candidate); results.textContent = ""; });
          results.appendChild(button);
        });
        say("住所カナ「" + query + "」の候補が" + data.candidates.length + "件あります。");
      })
      .catch(function () { results.textContent = ""; });
  }

  var LEVELS = [
    { name: "prefecture", label: "都道府県" },
    { name: "municipality", label: "市区町村" },
    { name: "oaza", label: "大字（町域）" },
    { name: "koaza", label: "小字・丁目" }
  ];

  function cascade(target, box, withCode) {
    var open = element("button", "secondary address-pick-open", "一覧から選ぶ");
    open.type = "button";
    var lists = element("div", "address-levels");
    lists.hidden = true;
    var selects = LEVELS.map(function (level, index) {
      var id = target.id + "-level-" + level.name;
      var wrap = element("span", "address-level");
      var label = element("label", "", level.label);
      label.htmlFor = id;
      var select = element("select");
      select.id = id;
      select.disabled = true;
      wrap.appendChild(label);
      wrap.appendChild(select);
      lists.appendChild(wrap);
      select.addEventListener("change", function () { chosen(index); });
      return select;
    });
    var options = [[], [], [], []];

    function show(index, level) {
      var select = selects[index];
      options[index] = level.options;
      select.textContent = "";
      select.appendChild(element("option", "", level.options.length ? "（選択してください）" : "（ありません）"));
      level.options.forEach(function (option, n) {
        var item = element("option", "", option.label);
        item.value = String(n);
        select.appendChild(item);
      });
      select.disabled = !level.options.length;
      for (var later = index + 1; later < selects.length; later++) {
        selects[later].textContent = "";
        selects[later].disabled = true;
      }
    }

    function ask(index, query) {
      fetch(levelsUrl + query, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (level) { show(index, level); })
        .catch(function () { say("一覧を読み込めませんでした。住所を直接入力してください。"); });
    }

    function chosen(index) {
      var picked = options[index][Number(selects[index].value)];
      if (!picked) { return; }
      if (index > 0) { fill(target, withCode ? picked : { address: picked.address }); }
      if (!picked.more || index === selects.length - 1) {
        for (var later = index + 1; later < selects.length; later++) { selects[later].disabled = true; }
        return;
      }
      var query = ["?prefecture=", "?area=", "?oaza="][index] + encodeURIComponent(picked.value);
      ask(index + 1, query);
    }

    open.setAttribute("aria-expanded", "false");
    open.addEventListener("click", function () {
      lists.hidden = !lists.hidden;
      open.setAttribute("aria-expanded", String(!lists.hidden));
      if (!lists.hidden && !options[0].length) { ask(0, ""); }
    });
    box.appendChild(open);
    box.appendChild(lists);
  }

  function helpBox(target) {
    var box = element("div", "field address-pick");
    var field = target.closest(".field");
    if (field && field.parentNode) { field.parentNode.insertBefore(box, field.nextSibling); }
    return box;
  }

  document.querySelectorAll("[data-address-code-for]").forEach(function (code) {
    var target = document.getElementById(code.getAttribute("data-address-code-for"));
    if (!target) { return; }
    var box = helpBox(target);
    kanaInput(target, box);
    cascade(target, box, true);
  });
  document.querySelectorAll("[data-honseki-help]").forEach(function (target) {
    cascade(target, helpBox(target), false);
  });
})();
