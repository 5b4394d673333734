import { roundTripSuite } from './roundtrip-suite.js';

roundTripSuite(['loongarch64'], 0x1a64);
