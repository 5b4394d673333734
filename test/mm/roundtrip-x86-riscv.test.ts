import { roundTripSuite } from './roundtrip-suite.js';

roundTripSuite(['x86-64', 'riscv64'], 0x5eed);
