// Reading typed settings out of the configuration's JSON, collecting every error. Each error
// names the key, quotes the value (never for secrets) and states the rule, so an operator can
// fix a whole configuration in one pass.
import { JsonArray, JsonKind, JsonObject, JsonValue } from "../codec/json";

export class ConfigErrors {
  readonly messages: Array<string> = new Array<string>();

  add(key: string, value: string, rule: string): void {
    this.messages.push(key + ": " + quote(value) + ": " + rule);
  }

  /** For secrets: the value is never repeated, not even in an error. */
  addHidden(key: string, rule: string): void {
    this.messages.push(key + ": (value hidden): " + rule);
  }

  get count(): i32 {
    return this.messages.length;
  }
}

/** A value for an error message: JSON-like quoting, shortened, control characters escaped. */
export function quote(value: string): string {
  let text = value.length > 120 ? value.substring(0, 120) + "..." : value;
  let out = "\"";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c == 34 || c == 92) out += "\\" + String.fromCharCode(c);
    else if (c < 32 || c == 127) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += String.fromCharCode(c);
  }
  return out + "\"";
}

export function kindName(value: JsonValue | null): string {
  if (value === null) return "missing";
  switch (value.kind) {
    case JsonKind.Null: return "null";
    case JsonKind.Bool: return "a boolean";
    case JsonKind.Number: return "a number";
    case JsonKind.String: return "a string";
    case JsonKind.Array: return "an array";
    default: return "an object";
  }
}

/** Where secrets given as `{"env": "NAME"}` are looked up: the VM's environment. */
export abstract class Environment {
  abstract get(name: string): string | null;
}

/** An environment with no variables (configuration checks outside a VM, tests). */
export class EmptyEnvironment extends Environment {
  get(name: string): string | null {
    return null;
  }
}

/** Reads settings of one JSON object whose keys sit under `prefix` (e.g. "provider."). */
export class SettingsReader {
  environment: Environment = new EmptyEnvironment();

  constructor(
    public object: JsonObject, public prefix: string, public errors: ConfigErrors,
  ) {}

  /**
   * A secret: a string, or `{"env": "NAME"}` naming a variable of the VM's environment
   * (Istio: WasmPlugin vmConfig.env, e.g. from the gateway's Secret-backed variables), so
   * that the secret need not be written in the plugin configuration. Never quoted in errors.
   */
  secret(name: string): string | null {
    const value = this.object.get(name);
    const reference = value !== null ? value.asObject() : null;
    if (reference === null) return this.string(name, null, true);
    const variable = reference.getString("env");
    if (variable === null || reference.size != 1) {
      this.errors.add(this.key(name), "an object", "must be a string or {\"env\": \"NAME\"}");
      return null;
    }
    const text = this.environment.get(variable);
    if (text === null || text.length == 0) {
      this.errors.add(this.key(name), variable,
        "names an environment variable that is not set in the VM (vmConfig.env)");
      return null;
    }
    return text;
  }

  key(name: string): string {
    return this.prefix + name;
  }

  /** Reports keys of the object not in `known`: a typo must not silently drop a setting. */
  refuseUnknown(known: Array<string>): void {
    const keys = this.object.keys;
    for (let i = 0; i < keys.length; i++) {
      if (!known.includes(keys[i])) {
        this.errors.add(this.key(keys[i]), keys[i], "is not a known setting");
      }
    }
  }

  /**
   * A string setting; `fallback` when absent. Of another type: an error, and `fallback`
   * again, so callers with a fallback always get a string (the configuration is refused
   * anyway once any error is recorded).
   */
  string(name: string, fallback: string | null, hidden: bool = false): string | null {
    const value = this.object.get(name);
    if (value === null) {
      if (fallback === null) this.errors.add(this.key(name), "", "is required");
      return fallback;
    }
    const text = value.asString();
    if (text === null) {
      this.errors.add(this.key(name), kindName(value), "must be a string");
      return fallback;
    }
    if (text.length == 0 && fallback === null) {
      if (hidden) this.errors.addHidden(this.key(name), "must not be empty");
      else this.errors.add(this.key(name), text, "must not be empty");
      return null;
    }
    return text;
  }

  bool(name: string, fallback: bool): bool {
    const value = this.object.get(name);
    if (value === null) return fallback;
    if (value.kind != JsonKind.Bool) {
      this.errors.add(this.key(name), kindName(value), "must be true or false");
      return fallback;
    }
    return value.asBool(fallback);
  }

  /** A list of strings; `null` when absent (the caller picks the default). */
  strings(name: string): Array<string> | null {
    const value = this.object.get(name);
    if (value === null) return null;
    const array = value.asArray();
    const list = array !== null ? array.strings() : null;
    if (list === null) {
      this.errors.add(this.key(name), kindName(value), "must be a list of strings");
      return null;
    }
    return list;
  }

  object_(name: string): JsonObject | null {
    const value = this.object.get(name);
    if (value === null) return null;
    const object = value.asObject();
    if (object === null) this.errors.add(this.key(name), kindName(value), "must be an object");
    return object;
  }

  array(name: string): JsonArray | null {
    const value = this.object.get(name);
    if (value === null) return null;
    const array = value.asArray();
    if (array === null) this.errors.add(this.key(name), kindName(value), "must be a list");
    return array;
  }
}
