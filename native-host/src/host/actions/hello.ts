import { VERSION } from '../../version.js';
import {
  CAPABILITIES,
  LIMITS,
  PROTOCOL_VERSION,
  errorReply,
  type HelloRequest,
} from '../../../shared/protocol/messages.js';
import type { HostState } from '../state.js';

/** The handshake: protocol versions must match; the reply tells what this host offers. */
export function hello(state: HostState, request: HelloRequest): void {
  if (request.protocol !== PROTOCOL_VERSION) {
    state.handshake = null;
    const older = request.protocol < PROTOCOL_VERSION ? 'extension' : 'host';
    const advice =
      older === 'extension'
        ? 'update the MX Lens extension'
        : 'update the MX Lens host (install the newer mxlens package)';
    state.log.warn(
      `hello refused: extension ${request.extension} speaks protocol ${request.protocol}, host ${VERSION} speaks ${PROTOCOL_VERSION}`,
    );
    state.send(
      errorReply(
        request.id,
        'protocol_mismatch',
        `the ${older} is older: the extension speaks protocol ${request.protocol}, ` +
          `the host (mxlens ${VERSION}) speaks protocol ${PROTOCOL_VERSION}; ${advice}`,
      ),
    );
    return;
  }
  state.handshake = { extension: request.extension };
  state.log.info(`hello from extension ${request.extension} (protocol ${request.protocol})`);
  state.send({
    type: 'hello',
    id: request.id,
    protocol: PROTOCOL_VERSION,
    version: VERSION,
    capabilities: [...CAPABILITIES],
    limits: { ...LIMITS },
    settingsProblems: state.settings.problems.map(({ setting, message }) => ({ setting, message })),
    network: state.network.reports(),
  });
}
