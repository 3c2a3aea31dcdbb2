/** Version of the framework core; module manifests may require a range of it ("core": "^0.1"). */
export const CORE_VERSION = '0.1.0';
