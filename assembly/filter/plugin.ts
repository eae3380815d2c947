// The filter's root context: reads the plugin configuration at start and creates one
// stream context per request. This first version checks that a configuration is present
// and lets every request through; the single sign-on flow builds on it.
import { RootContext, StreamContext } from "../abi/context";
import { getBufferBytes, log, logEnabled } from "../abi/host";
import { Action, BufferType, LogLevel } from "../abi/types";

export class SsoRoot extends RootContext {
  configurationBytes: i32 = 0;

  onConfigure(configurationSize: usize): bool {
    const bytes = getBufferBytes(BufferType.PluginConfiguration, 0, <u32>configurationSize);
    if (bytes === null) {
      log(LogLevel.Error, "plugin configuration unreadable: the plugin refuses to start");
      return false;
    }
    this.configurationBytes = bytes.byteLength;
    log(LogLevel.Info, "oidc-sso configured: " + bytes.byteLength.toString() + " bytes");
    return true;
  }

  createStream(id: u32): StreamContext {
    return new SsoStream(id, this);
  }
}

export class SsoStream extends StreamContext {
  onRequestHeaders(numHeaders: u32, endOfStream: bool): Action {
    if (logEnabled(LogLevel.Debug)) {
      log(LogLevel.Debug, "request passes: stream " + this.id.toString());
    }
    return Action.Continue;
  }
}
