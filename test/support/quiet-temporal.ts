import { installTemporalRuntime } from '../../lib/temporal-runtime';

// Worker state changes at INFO drown test output; errors still show.
installTemporalRuntime({ logLevel: process.env.TEST_TEMPORAL_LOG_LEVEL ?? 'error' });
