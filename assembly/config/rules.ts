// The `match` section: the mode and the rules that decide which requests must log in.
//
//   "match": { "mode": "auth_if_matched" | "bypass_if_matched",
//              "rules": [ { "paths": ["/api/*"], "hosts": ["*.example.com"],
//                           "methods": ["GET"],
//                           "headers": [ { "name": "x-env", "value": "prod*" } ] } ] }
//
// Without a `match` section every request must log in: the safe default for a gate.
import { JsonObject } from "../codec/json";
import { Mode, Rule, RuleBuilder, RuleSet } from "../rules/match";
import { ConfigErrors, SettingsReader, kindName } from "./reader";

export function readRuleSet(match: JsonObject | null, errors: ConfigErrors): RuleSet {
  const rules = new Array<Rule>();
  if (match === null) return new RuleSet(Mode.BYPASS_IF_MATCHED, rules);
  const reader = new SettingsReader(match, "match.", errors);
  reader.refuseUnknown(["mode", "rules"]);
  const modeText = reader.string("mode", null);
  let mode = Mode.BYPASS_IF_MATCHED;
  if (modeText == "auth_if_matched") mode = Mode.AUTH_IF_MATCHED;
  else if (modeText !== null && modeText != "bypass_if_matched") {
    errors.add("match.mode", modeText, "must be auth_if_matched or bypass_if_matched");
  }
  const list = reader.array("rules");
  if (list === null) return new RuleSet(mode, rules);
  for (let i = 0; i < list.length; i++) {
    const key = "match.rules[" + i.toString() + "]";
    const entry = list.at(i);
    const object = entry !== null ? entry.asObject() : null;
    if (object === null) {
      errors.add(key, kindName(entry), "must be an object");
      continue;
    }
    const rule = readRule(object, key, errors);
    if (rule !== null) rules.push(rule);
  }
  return new RuleSet(mode, rules);
}

function readRule(object: JsonObject, key: string, errors: ConfigErrors): Rule | null {
  const reader = new SettingsReader(object, key + ".", errors);
  reader.refuseUnknown(["paths", "hosts", "methods", "headers"]);
  const builder = new RuleBuilder(key);
  addAll(reader.strings("paths"), builder, 0, errors);
  addAll(reader.strings("hosts"), builder, 1, errors);
  addAll(reader.strings("methods"), builder, 2, errors);
  const headers = reader.array("headers");
  if (headers !== null) {
    for (let i = 0; i < headers.length; i++) {
      const entry = headers.at(i);
      const header = entry !== null ? entry.asObject() : null;
      const name = header !== null ? header.getString("name") : null;
      const value = header !== null ? header.getString("value") : null;
      if (name === null || value === null) {
        errors.add(key + ".headers[" + i.toString() + "]", kindName(entry),
          "must be an object with string fields name and value");
        continue;
      }
      report(builder.addHeader(name, value), errors);
    }
  }
  const built = builder.build();
  report(built.error.length > 0 ? built.error : null, errors);
  return built.value;
}

function addAll(values: Array<string> | null, builder: RuleBuilder, field: i32, errors: ConfigErrors): void {
  if (values === null) return;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    let error: string | null;
    if (field == 0) error = builder.addPath(value);
    else if (field == 1) error = builder.addHost(value);
    else error = builder.addMethod(value);
    report(error, errors);
  }
}

function report(error: string | null, errors: ConfigErrors): void {
  if (error !== null) errors.messages.push(error);
}
