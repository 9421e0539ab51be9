import { version } from '../../package.json';

/** The one version of MX Lens: host, CLI and (later) extension all read it from package.json. */
export const VERSION: string = version;
