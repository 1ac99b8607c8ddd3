// 前入力データの複写 (j550): what was entered once in a form is offered for the other fields of the same kind,
// as buttons under the field when it takes the focus.  Addresses (現住所, 転入前住所, 転出先住所, 本籍) are offered
// to one another (a 本籍 field gets its own candidates from address_help.js, j510); a person's 氏 is offered
// from the person entered before, from their 筆頭者 and from the 世帯主; 氏名 and 筆頭者 are offered to each
// other.  The 旧氏 is never copied (j550).  No request is made: only the values on the page are used.
(function () {
  "use strict";
  var form = document.querySelector("form.intake-form");
  if (!form) { return; }
  var status = document.getElementById("address-help-status");
  var ADDRESS = /(^|-)(address|former_address|unnotified_address|previous_address|confirmed_address|honseki)$/;
  var MEMBER = /^members-(\d+)-/;

  function say(text) { if (status) { status.textContent = text; } }

  function textOf(field) { return field && field.value ? field.value.trim() : ""; }

  function byId(id) { return document.getElementById(id); }

  function memberField(index, name) { return byId("members-" + index + "-" + name); }

  function person(field) {
    var match = MEMBER.exec(field.id);
    return match ? Number(match[1]) : null;
  }

  function labelOf(field) {
    var label = form.querySelector("label[for='" + field.id + "']");
    var text = label ? label.childNodes[0].textContent.trim() : field.id;
    var index = person(field);
    return index === null ? text : text + "（" + (index + 1) + "人目）";
  }

  function fullName(index) {
    return [textOf(memberField(index, "family_name")), textOf(memberField(index, "given_name"))]
      .filter(Boolean).join(" ");
  }

  function surnameOf(name) { return name.split(/[ \u3000]+/)[0] || ""; }

  function members() {
    var found = [];
    form.querySelectorAll("input[id^='members-'][id$='-family_name']").forEach(function (field) {
      found.push(person(field));
    });
    return found;
  }

  // Each candidate: a label, the value shown, and what a click fills (field id → value).
  function addressCandidates(target) {
    var found = [];
    form.querySelectorAll("input[type='text']").forEach(function (field) {
      var value = textOf(field);
      if (field !== target && ADDRESS.test(field.id) && value && value !== textOf(target)) {
        var fill = {};
        fill[target.id] = value;
        found.push({ label: labelOf(field), value: value, fill: fill });
      }
    });
    return found;
  }

  function hittoshaCandidates(target) {
    var found = [];
    members().forEach(function (index) {
      var name = fullName(index);
      if (name && name !== textOf(target)) {
        var fill = {};
        fill[target.id] = name;
        found.push({ label: "氏名（" + (index + 1) + "人目）", value: name, fill: fill });
      }
    });
    return found;
  }

  function surnameCandidates(target) {
    var index = person(target);
    var found = [];
    function offer(label, surname, fill) {
      if (!surname || surname === textOf(target)) { return; }
      var values = fill || {};
      values[target.id] = surname;
      found.push({ label: label, value: surname, fill: values });
    }
    if (index > 0) { offer("前の人の氏", textOf(memberField(index - 1, "family_name"))); }
    var hittosha = textOf(memberField(index, "hittosha"));
    offer("筆頭者の氏", surnameOf(hittosha));
    members().forEach(function (other) {
      var relation = memberField(other, "relation_to_head");
      if (other !== index && relation && relation.value === "世帯主") {
        offer("世帯主（" + (other + 1) + "人目）の氏", textOf(memberField(other, "family_name")));
      }
    });
    var parts = hittosha.split(/[ \u3000]+/);
    var given = memberField(index, "given_name");
    if (parts.length === 2 && given && hittosha !== fullName(index)) {
      var fill = {};
      fill[given.id] = parts[1];
      fill[target.id] = parts[0];
      found.push({ label: "筆頭者の氏名", value: hittosha, fill: fill });
    }
    return found;
  }

  function candidatesFor(target) {
    if (/-family_name$/.test(target.id) && person(target) !== null) { return surnameCandidates(target); }
    if (/(^|-)hittosha$/.test(target.id)) { return hittoshaCandidates(target); }
    if (ADDRESS.test(target.id) && !target.hasAttribute("data-honseki-help")) { return addressCandidates(target); }
    return null;
  }

  function box(target) {
    return window.JuminCandidateBox(target, "-copy", "katagaki-candidates entry-copy", "入力済みの内容から写す");
  }

  function offer(target) {
    var candidates = candidatesFor(target);
    if (candidates === null) { return; }
    var group = box(target);
    if (!candidates.length) { return; }
    var lead = document.createElement("span");
    lead.className = "muted";
    lead.textContent = "写す：";
    group.appendChild(lead);
    candidates.forEach(function (candidate) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary entry-copy-candidate";
      button.textContent = candidate.label + "：" + candidate.value;
      button.addEventListener("click", function () {
        Object.keys(candidate.fill).forEach(function (id) {
          var field = byId(id);
          if (field) { field.value = candidate.fill[id]; }
        });
        target.focus();
        say(labelOf(target) + "に「" + candidate.value + "」（" + candidate.label + "）を写しました。");
      });
      group.appendChild(button);
    });
  }

  form.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target && target.tagName === "INPUT" && target.id) { offer(target); }
  });
})();
