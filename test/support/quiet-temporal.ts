import { installTemporalLogger } from '../../lib/temporal-logging';

// Worker state changes at INFO drown test output; errors still show.
installTemporalLogger(process.env.TEST_TEMPORAL_LOG_LEVEL ?? 'error');
