// Counters the filter keeps with the host (Envoy exposes them with its own statistics). The
// two that move on every request (sessions accepted, requests let through without login) are
// summed in the module and handed over on each tick (every second); the others at once.
import { Metric, defineMetric } from "../abi/host";
import { MetricType } from "../abi/types";

export class FilterMetrics {
  loginRedirects: Metric = defineMetric(MetricType.Counter, "oidc_sso.login_redirects");
  loginDenied: Metric = defineMetric(MetricType.Counter, "oidc_sso.login_required_401");
  callbacksOk: Metric = defineMetric(MetricType.Counter, "oidc_sso.callbacks_ok");
  callbacksFailed: Metric = defineMetric(MetricType.Counter, "oidc_sso.callbacks_failed");
  sessionsAccepted: Metric = defineMetric(MetricType.Counter, "oidc_sso.sessions_accepted");
  sessionsRejected: Metric = defineMetric(MetricType.Counter, "oidc_sso.sessions_rejected");
  bypassed: Metric = defineMetric(MetricType.Counter, "oidc_sso.bypassed");
  providerErrors: Metric = defineMetric(MetricType.Counter, "oidc_sso.provider_errors");
  refreshesOk: Metric = defineMetric(MetricType.Counter, "oidc_sso.refreshes_ok");
  refreshesFailed: Metric = defineMetric(MetricType.Counter, "oidc_sso.refreshes_failed");
  signOuts: Metric = defineMetric(MetricType.Counter, "oidc_sso.sign_outs");
  bearerAccepted: Metric = defineMetric(MetricType.Counter, "oidc_sso.bearer_accepted");
  bearerRejected: Metric = defineMetric(MetricType.Counter, "oidc_sso.bearer_rejected");
  preflightPassed: Metric = defineMetric(MetricType.Counter, "oidc_sso.preflight_passed");
  providerUnavailable: Metric = defineMetric(MetricType.Counter, "oidc_sso.provider_unavailable");

  /** Hands the per-request counters' sums to the host. */
  flush(): void {
    this.sessionsAccepted.flush();
    this.bypassed.flush();
  }
}
