import { apacheHttp } from '../../../../modules/provision/service/http/apache.js';
import { apacheServer } from '../../../harness/apache.js';
import { webServerSuite } from './suite.js';

describe('provision http service: apache (real Apache 2.4 on loopback)', () => {
  webServerSuite(apacheHttp, apacheServer);
});
