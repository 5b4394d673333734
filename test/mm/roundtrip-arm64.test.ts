import { roundTripSuite } from './roundtrip-suite.js';

roundTripSuite(['arm64'], 0xa64);
