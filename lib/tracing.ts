import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  OpenTelemetryPlugin,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';

/**
 * OpenTelemetry tracing of runs through Temporal's interceptors, on when OTEL_EXPORTER_OTLP_ENDPOINT
 * is set (OTLP over HTTP; the exporter reads the standard OTEL_* variables). The API's client starts
 * each run's trace; workers continue it through the workflow and every step activity.
 */
export interface Tracing {
  /** for Worker.create: client, workflow and activity interceptors and the workflow span sink */
  workerPlugin: OpenTelemetryPlugin;
  /** for the API's Temporal client */
  clientInterceptor: OpenTelemetryWorkflowClientInterceptor;
  shutdown(): Promise<void>;
}

let installed: Tracing | undefined;

export function tracingFromEnv(service: string, env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return undefined;
  if (installed) return installed;
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME ?? service });
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: 500 });
  // the Node provider also installs the async context manager, without which no span has a parent
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  installed = {
    workerPlugin: new OpenTelemetryPlugin({ resource, spanProcessor }),
    clientInterceptor: new OpenTelemetryWorkflowClientInterceptor(),
    async shutdown() {
      await provider.shutdown();
      installed = undefined;
    },
  };
  return installed;
}
