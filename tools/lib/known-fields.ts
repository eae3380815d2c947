// Finds fields a schema does not know. `@kubernetes-models/istio` validates values but lets
// unknown keys through, while the API server prunes them (or refuses them with strict field
// validation): a misspelt `failStrategy` would silently become the default. The library ships
// its schema as compiled validators and as TypeScript declarations generated from the same CRD;
// the declarations are readable, so this walks a manifest alongside them with the TypeScript
// checker. Rules: a property list is closed; an index signature (`labels`) is a map whose keys
// are free; an object type without properties (`pluginConfig`, a Struct) is free-form.
import ts from "typescript";
import { ISTIO_KINDS, type IstioKind } from "./istio-kinds.ts";

let program: ts.Program | null = null;

/** One program for every kind: parsing the declarations takes about a second. */
function loadProgram(): ts.Program {
  if (program) return program;
  program = ts.createProgram(
    ISTIO_KINDS.map((k) => k.declarations),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    },
  );
  return program;
}

function rootType(kind: IstioKind): { type: ts.Type; checker: ts.TypeChecker } {
  const checker = loadProgram().getTypeChecker();
  const file = loadProgram().getSourceFile(kind.declarations);
  const module = file && checker.getSymbolAtLocation(file);
  const symbol = module && checker.getExportsOfModule(module).find(
    (s) => s.name === kind.interfaceName,
  );
  if (!symbol) throw new Error(`${kind.interfaceName} not found in ${kind.declarations}`);
  return { type: checker.getDeclaredTypeOfSymbol(symbol), checker };
}

/** Paths (like `spec.trafficPolicy.tls.snii`) of every field the kind's schema lacks. */
export function findUnknownFields(manifest: unknown, kind: IstioKind): string[] {
  const { type, checker } = rootType(kind);
  const walker = new UnknownFieldWalker(checker);
  walker.walk(manifest, type, "");
  return walker.found;
}

class UnknownFieldWalker {
  readonly found: string[] = [];

  constructor(private readonly checker: ts.TypeChecker) {}

  walk(value: unknown, type: ts.Type, path: string): void {
    if (Array.isArray(value)) {
      const array = this.objectTypes(type).find((t) => this.checker.isArrayType(t));
      if (!array) return;
      const element = this.checker.getTypeArguments(array as ts.TypeReference)[0];
      value.forEach((item, i) => this.walk(item, element, `${path}[${i}]`));
    } else if (value !== null && typeof value === "object") {
      this.walkObject(value as Record<string, unknown>, type, path);
    }
  }

  /** The object types a value may take here (undefined, null and primitives dropped). */
  private objectTypes(type: ts.Type): ts.Type[] {
    const options = type.isUnion() ? type.types : [type];
    return options.filter((t) => (t.flags & ts.TypeFlags.Object) !== 0);
  }

  private walkObject(value: Record<string, unknown>, type: ts.Type, path: string): void {
    // A value of the wrong type (no object type here) is the validator's to report.
    const options = this.objectTypes(type).filter((t) => !this.checker.isArrayType(t));
    const mapValue = options.map((t) => t.getStringIndexType()).find((t) => t !== undefined);
    const properties = new Map<string, ts.Symbol>();
    for (const option of options) {
      for (const property of option.getProperties()) properties.set(property.name, property);
    }
    if (!mapValue && properties.size === 0) return; // free-form, or not an object here
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      const property = properties.get(key);
      if (property) this.walk(child, this.propertyType(property), childPath);
      else if (mapValue) this.walk(child, mapValue, childPath);
      else this.found.push(childPath);
    }
  }

  private propertyType(property: ts.Symbol): ts.Type {
    const declaration = property.valueDeclaration ?? property.declarations![0];
    return this.checker.getTypeOfSymbolAtLocation(property, declaration);
  }
}
