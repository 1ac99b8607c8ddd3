"""業務フローの編集: the bpmn-js modeler, deploy, deviation report, versions, migration of running cases."""
