// The Istio kinds this project deploys, with their schemas from `@kubernetes-models/istio`
// (generated from Istio's own CRDs). The library checks types, enums, patterns and required
// fields; it does not reject unknown fields, which known-fields.ts does.
import { fileURLToPath } from "node:url";
import { WasmPlugin } from "@kubernetes-models/istio/extensions.istio.io/v1alpha1/WasmPlugin";
import { DestinationRule } from "@kubernetes-models/istio/networking.istio.io/v1/DestinationRule";
import { ServiceEntry } from "@kubernetes-models/istio/networking.istio.io/v1/ServiceEntry";

export interface IstioKind {
  apiVersion: string;
  kind: string;
  /** Validates a manifest of this kind; throws a ValidationError listing every problem. */
  validate(manifest: object): void;
  /** The library's type declarations for this kind, and the interface that describes it. */
  declarations: string;
  interfaceName: string;
}

function declarationsOf(module: string): string {
  return fileURLToPath(import.meta.resolve(module)).replace(/\.js$/, ".d.ts");
}

const MODELS = "@kubernetes-models/istio";

export const ISTIO_KINDS: IstioKind[] = [
  {
    apiVersion: WasmPlugin.apiVersion,
    kind: WasmPlugin.kind,
    validate: (manifest) => new WasmPlugin(manifest as never).validate(),
    declarations: declarationsOf(`${MODELS}/extensions.istio.io/v1alpha1/WasmPlugin`),
    interfaceName: "IWasmPlugin",
  },
  {
    apiVersion: ServiceEntry.apiVersion,
    kind: ServiceEntry.kind,
    validate: (manifest) => new ServiceEntry(manifest as never).validate(),
    declarations: declarationsOf(`${MODELS}/networking.istio.io/v1/ServiceEntry`),
    interfaceName: "IServiceEntry",
  },
  {
    apiVersion: DestinationRule.apiVersion,
    kind: DestinationRule.kind,
    validate: (manifest) => new DestinationRule(manifest as never).validate(),
    declarations: declarationsOf(`${MODELS}/networking.istio.io/v1/DestinationRule`),
    interfaceName: "IDestinationRule",
  },
];

export function findKind(apiVersion: unknown, kind: unknown): IstioKind | undefined {
  return ISTIO_KINDS.find((k) => k.apiVersion === apiVersion && k.kind === kind);
}
