import {
  Counter,
  Gauge,
  Histogram,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
  type Registry,
} from 'prom-client';

/**
 * The one way adapters create Prometheus instruments: on the app's registry, reusing one already
 * registered there under the same name (several adapters of a kind may share a registry), or on
 * no registry at all when the app exports none (tests, CLIs): the instrument still counts.
 */
export const instruments = {
  counter<L extends string>(registry: Registry | undefined, config: CounterConfiguration<L>): Counter<L> {
    return (
      (registry?.getSingleMetric(config.name) as Counter<L> | undefined) ??
      new Counter({ ...config, registers: registry ? [registry] : [] })
    );
  },

  histogram<L extends string>(registry: Registry | undefined, config: HistogramConfiguration<L>): Histogram<L> {
    return (
      (registry?.getSingleMetric(config.name) as Histogram<L> | undefined) ??
      new Histogram({ ...config, registers: registry ? [registry] : [] })
    );
  },

  gauge<L extends string>(registry: Registry | undefined, config: GaugeConfiguration<L>): Gauge<L> {
    return (
      (registry?.getSingleMetric(config.name) as Gauge<L> | undefined) ?? new Gauge({ ...config, registers: registry ? [registry] : [] })
    );
  },
};
