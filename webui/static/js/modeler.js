/* Flow modeler (bpmn-js from webui/static/vendor, never a CDN).  The bpmn.io watermark stays visible (licence).
 * The side form edits what our engine reads: lane, service operator, formKey, condition, name.
 * Viewer mode (no side form): show a diagram and highlight the listed elements. */
(function () {
  "use strict";

  var root = document.getElementById("flow-editor");
  if (!root) { return; }
  var form = document.getElementById("element-form");
  var deviations = JSON.parse(root.dataset.highlight || "[]");
  var state = { modeler: null, moddle: null, selected: null, problems: [] };
  window.flowEditor = state;

  function text(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(url + ": " + r.status); }
      return r.text();
    });
  }

  function mark(ids, css) {
    var registry = state.modeler.get("elementRegistry");
    var canvas = state.modeler.get("canvas");
    ids.forEach(function (id) { if (id && registry.get(id)) { canvas.addMarker(id, css); } });
  }

  function unmark(ids, css) {
    var registry = state.modeler.get("elementRegistry");
    var canvas = state.modeler.get("canvas");
    ids.forEach(function (id) { if (id && registry.get(id)) { canvas.removeMarker(id, css); } });
  }

  function extension(bo, type) {
    var ext = bo.extensionElements;
    return ext ? (ext.get("values") || []).filter(function (v) { return v.$instanceOf(type); })[0] : undefined;
  }

  function ensureExtensions(element) {
    var bo = element.businessObject;
    if (!bo.extensionElements) {
      var ext = state.moddle.create("bpmn:ExtensionElements", { values: [] });
      state.modeler.get("modeling").updateProperties(element, { extensionElements: ext });
    }
    return bo.extensionElements;
  }

  function addExtension(element, value) {
    var ext = ensureExtensions(element);
    state.modeler.get("modeling").updateModdleProperties(element, ext, { values: ext.get("values").concat([value]) });
  }

  function formKeyOf(bo) {
    var props = extension(bo, "spiffworkflow:Properties");
    var found = props ? (props.get("properties") || []).filter(function (p) { return p.name === "formKey"; })[0] : undefined;
    return { props: props, property: found };
  }

  function laneOf(element) {
    var lanes = state.modeler.get("elementRegistry").filter(function (e) { return e.type === "bpmn:Lane"; });
    var cx = element.x + element.width / 2, cy = element.y + element.height / 2;
    return lanes.filter(function (l) { return cx >= l.x && cx <= l.x + l.width && cy >= l.y && cy <= l.y + l.height; })[0];
  }

  function setLane(element, laneName) {
    if (element.type === "bpmn:Lane") {
      state.modeler.get("modeling").updateProperties(element, { name: laneName });
      return;
    }
    var lane = state.modeler.get("elementRegistry").filter(function (e) {
      return e.type === "bpmn:Lane" && e.businessObject.name === laneName;
    })[0];
    if (!lane) { throw new Error("レーン「" + laneName + "」が図にありません。先にレーンを追加してください。"); }
    var dy = (lane.y + lane.height / 2) - (element.y + element.height / 2);
    state.modeler.get("modeling").moveShape(element, { x: 0, y: dy });
  }

  function setOperator(element, name) {
    var op = extension(element.businessObject, "spiffworkflow:ServiceTaskOperator");
    if (op) {
      state.modeler.get("modeling").updateModdleProperties(element, op, { id: name });
      return;
    }
    op = state.moddle.create("spiffworkflow:ServiceTaskOperator", { id: name, resultVariable: element.id + "_result" });
    op.parameters = state.moddle.create("spiffworkflow:Parameters", { parameters: [] });
    addExtension(element, op);
  }

  function setFormKey(element, value) {
    var found = formKeyOf(element.businessObject);
    var modeling = state.modeler.get("modeling");
    if (found.property) { modeling.updateModdleProperties(element, found.property, { value: value }); return; }
    var property = state.moddle.create("spiffworkflow:Property", { name: "formKey", value: value });
    if (found.props) {
      modeling.updateModdleProperties(element, found.props, { properties: found.props.get("properties").concat([property]) });
    } else {
      addExtension(element, state.moddle.create("spiffworkflow:Properties", { properties: [property] }));
    }
  }

  function setCondition(element, body) {
    var expression = body ? state.moddle.create("bpmn:FormalExpression", { body: body }) : undefined;
    state.modeler.get("modeling").updateProperties(element, { conditionExpression: expression });
  }

  function field(name) { return form.querySelector("[name=" + name + "]"); }

  function showRow(name, visible) { form.querySelector("[data-row=" + name + "]").hidden = !visible; }

  function fillForm(element) {
    state.selected = element;
    form.hidden = !element;
    if (!element) { return; }
    var bo = element.businessObject, type = element.type;
    var op = extension(bo, "spiffworkflow:ServiceTaskOperator");
    var lane = type === "bpmn:Lane" ? element : laneOf(element);
    field("element_id").value = element.id;
    field("element_type").value = type.replace("bpmn:", "");
    field("name").value = bo.name || "";
    field("lane").value = lane ? (lane.businessObject.name || "") : "";
    field("operator").value = op ? op.id : "";
    field("form_key").value = (formKeyOf(bo).property || {}).value || "";
    field("condition").value = bo.conditionExpression ? bo.conditionExpression.body : "";
    showRow("lane", type !== "bpmn:SequenceFlow");
    showRow("operator", type === "bpmn:ServiceTask");
    showRow("form_key", type === "bpmn:UserTask");
    showRow("condition", type === "bpmn:SequenceFlow");
  }

  function applyForm(event) {
    event.preventDefault();
    var element = state.selected;
    if (!element) { return; }
    var bo = element.businessObject, type = element.type;
    var op = extension(bo, "spiffworkflow:ServiceTaskOperator");
    var lane = type === "bpmn:Lane" ? element : laneOf(element);
    var message = document.getElementById("form-message");
    message.textContent = "";
    try {
      if ((bo.name || "") !== field("name").value) { state.modeler.get("modeling").updateLabel(element, field("name").value); }
      if (type === "bpmn:ServiceTask" && field("operator").value && (!op || op.id !== field("operator").value)) {
        setOperator(element, field("operator").value);
      }
      if (type === "bpmn:UserTask" && field("form_key").value !== ((formKeyOf(bo).property || {}).value || "")) {
        setFormKey(element, field("form_key").value);
      }
      var condition = bo.conditionExpression ? bo.conditionExpression.body : "";
      if (type === "bpmn:SequenceFlow" && field("condition").value !== condition) { setCondition(element, field("condition").value); }
      var laneName = lane ? (lane.businessObject.name || "") : "";
      if (type !== "bpmn:SequenceFlow" && field("lane").value && field("lane").value !== laneName) {
        setLane(element, field("lane").value);
      }
      message.textContent = "反映しました（配備するまで保存されません）。";
    } catch (err) {
      message.textContent = err.message;
    }
  }

  function showProblems(problems) {
    var list = document.getElementById("deploy-problems");
    list.innerHTML = "";
    unmark(state.problems, "flow-problem");
    state.problems = problems.map(function (p) { return p.element_id; });
    problems.forEach(function (p) {
      var item = document.createElement("li");
      item.textContent = (p.element_id ? "［" + p.element_id + "］" : "") + p.message;
      item.dataset.elementId = p.element_id || "";
      list.appendChild(item);
    });
    mark(state.problems, "flow-problem");
  }

  function deploy(event) {
    event.preventDefault();
    var result = document.getElementById("deploy-result");
    result.textContent = "検証しています…";
    state.modeler.saveXML({ format: true }).then(function (saved) {
      return fetch(root.dataset.deployUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": root.dataset.csrf },
        body: JSON.stringify({ xml: saved.xml, comment: document.getElementById("deploy-comment").value })
      });
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (answer) {
      if (answer.status === 201) {
        showProblems([]);
        result.textContent = answer.body.message;
        result.dataset.version = answer.body.version;
      } else {
        result.textContent = "配備できません。次の点を修正してください。";
        showProblems(answer.body.problems || [{ element_id: "", message: answer.body.message || String(answer.status) }]);
      }
    }).catch(function (err) { result.textContent = "配備に失敗しました：" + err.message; });
  }

  function start() {
    var viewer = !form;
    text(root.dataset.moddleUrl).then(function (descriptor) {
      state.modeler = new window.BpmnJS({ container: "#canvas", moddleExtensions: { spiffworkflow: JSON.parse(descriptor) } });
      state.moddle = state.modeler.get("moddle");
      return text(root.dataset.xmlUrl);
    }).then(function (xml) {
      return state.modeler.importXML(xml);
    }).then(function () {
      state.modeler.get("canvas").zoom("fit-viewport");
      mark(deviations, "flow-deviation");
      if (!viewer) {
        state.modeler.get("eventBus").on("selection.changed", function (e) { fillForm(e.newSelection[0]); });
        form.addEventListener("submit", applyForm);
        document.getElementById("deploy-form").addEventListener("submit", deploy);
      }
      window.flowReady = true;
    }).catch(function (err) {
      document.getElementById("canvas").textContent = "図を表示できません：" + err.message;
    });
  }

  start();
}());
