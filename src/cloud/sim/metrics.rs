//! Request metrics of instances: request rates over the day, healthy latency, the 10 s
//! metrics Elastic Beanstalk reports, CPU and load. Pure functions of the seed, the instance
//! and the time, shared by health (which judges them) and the logs (which sample requests at
//! the same rates), so neither has to reach into the other.

use std::f64::consts::TAU;

use crate::domain::{AppMetrics, Millis};

use super::model::{
    DAY, Env, HEALTH_PERIOD, Instance, PROXY_TIMEOUT_S, Phase, SEC, SLOW_FACTOR, TIMEOUT_PER_MILLE,
};
use super::rng::{hash_str, mix, unit};

/// Milliseconds in service and in service on a broken build within `[from, to)`.
pub(crate) fn served(inst: &Instance, from: Millis, to: Millis) -> (f64, f64) {
    let (mut serving, mut broken) = (0.0, 0.0);
    for (k, (start, phase)) in inst.phases.iter().enumerate() {
        let end = inst.phases.get(k + 1).map_or(Millis::MAX, |(t, _)| *t);
        let overlap = (end.min(to) - (*start).max(from)).max(0) as f64;
        if let Phase::Serving { broken: b, .. } = phase {
            serving += overlap;
            if *b {
                broken += overlap;
            }
        }
    }
    (serving, broken)
}

/// Requests per second one instance receives at `t`: a daily wave around the environment's
/// baseline with noise that changes every 10 s.
pub(crate) fn rate(seed: u64, env: &Env, inst: &str, t: Millis) -> f64 {
    let day = t.rem_euclid(DAY) as f64 / DAY as f64;
    let wave = 1.0 + 0.25 * (TAU * (day - 0.35)).sin();
    let n = unit(mix(
        mix(seed, hash_str(inst)),
        t.div_euclid(HEALTH_PERIOD) as u64,
    ));
    env.base_rate * wave * (0.85 + 0.3 * n)
}

fn noise(seed: u64, inst: &str, t: Millis, salt: u64) -> f64 {
    unit(mix(
        mix(
            mix(seed, hash_str(inst)),
            t.div_euclid(HEALTH_PERIOD) as u64,
        ),
        salt,
    ))
}

/// Latency quantiles of a healthy instance, as multiples of its median.
const SHAPE: [(f64, f64); 8] = [
    (0.10, 0.3),
    (0.50, 1.0),
    (0.75, 1.6),
    (0.85, 2.1),
    (0.90, 2.6),
    (0.95, 3.6),
    (0.99, 8.0),
    (0.999, 17.0),
];

/// The healthy latency at quantile `p` (interpolated in SHAPE).
pub(crate) fn healthy_latency(p50: f64, p: f64) -> f64 {
    let mut prev = (0.0, 0.1);
    for (q, m) in SHAPE {
        if p <= q {
            let f = if q > prev.0 {
                (p - prev.0) / (q - prev.0)
            } else {
                1.0
            };
            return p50 * (prev.1 + f * (m - prev.1));
        }
        prev = (q, m);
    }
    p50 * SHAPE[SHAPE.len() - 1].1
}

/// Quantile `p` when a share `bad` of the requests fail fast (a 502 takes about a millisecond).
fn quantile(p50: f64, bad: f64, p: f64) -> f64 {
    let v = if p <= bad {
        0.001
    } else {
        healthy_latency(p50, (p - bad) / (1.0 - bad).max(1e-9))
    };
    (v * 1000.0).round() / 1000.0
}

/// Request metrics of one instance over the 10 s before `t`.
pub(crate) fn metrics(seed: u64, env: &Env, inst: &Instance, t: Millis) -> Option<AppMetrics> {
    let (serving, broken) = served(inst, t - HEALTH_PERIOD, t);
    if serving <= 0.0 {
        return None;
    }
    let requests = (rate(seed, env, &inst.id, t) * serving / 1000.0).round() as u64;
    let bad = broken / serving;
    let slow = env.slow_at(t);
    let baseline = u64::from(noise(seed, &inst.id, t, 1) < 0.08);
    let timeouts = if slow {
        (requests as f64 * TIMEOUT_PER_MILLE as f64 / 1000.0).round() as u64
    } else {
        0
    };
    let s5 = ((requests as f64 * bad).round() as u64 + baseline + timeouts).min(requests);
    let good = requests - s5;
    let s4 = (good as f64 * (0.01 + 0.02 * noise(seed, &inst.id, t, 2))).round() as u64;
    let s3 = (good as f64 * (0.005 + 0.015 * noise(seed, &inst.id, t, 3))).round() as u64;
    let mut p50 = env.base_latency * (0.8 + 0.4 * noise(seed, &inst.id, t, 4));
    if slow {
        p50 *= SLOW_FACTOR;
    }
    let q = |p: f64| {
        (requests > 0).then(|| {
            // The slowest requests are the ones nginx gave up on.
            if slow && p > 1.0 - TIMEOUT_PER_MILLE as f64 / 1000.0 {
                PROXY_TIMEOUT_S
            } else {
                quantile(p50, bad, p)
            }
        })
    };
    Some(AppMetrics {
        duration_s: (HEALTH_PERIOD / SEC) as u32,
        request_count: requests,
        status_2xx: good.saturating_sub(s4 + s3),
        status_3xx: s3,
        status_4xx: s4,
        status_5xx: s5,
        p10: q(0.10),
        p50: q(0.50),
        p75: q(0.75),
        p85: q(0.85),
        p90: q(0.90),
        p95: q(0.95),
        p99: q(0.99),
        p999: q(0.999),
    })
}

/// CPU utilization (percent) and load average of an instance, by what it is doing.
pub(crate) fn cpu_and_load(seed: u64, env: &Env, inst: &Instance, t: Millis) -> (f64, f64) {
    let n = noise(seed, &inst.id, t, 5);
    let cpu = match inst.phase_at(t) {
        Some(Phase::Serving { broken: true, .. }) => 55.0 + 30.0 * n,
        Some(Phase::Serving { .. }) => {
            let load = rate(seed, env, &inst.id, t) / (env.base_rate * 1.3).max(1e-9);
            8.0 + 24.0 * load + 8.0 * n
        }
        Some(Phase::Deploying { .. }) => 45.0 + 40.0 * n,
        Some(Phase::Restarting) => 30.0 + 40.0 * n,
        _ => 20.0 + 30.0 * n,
    };
    let cpu = (cpu.min(99.0) * 10.0).round() / 10.0;
    let load =
        (cpu / 100.0 * 2.0 * (0.7 + 0.6 * noise(seed, &inst.id, t, 6)) * 100.0).round() / 100.0;
    (cpu, load)
}

/// The environment's request metrics: instances' counts summed, their latency quantiles
/// averaged weighted by requests.
pub(crate) struct Totals {
    metrics: AppMetrics,
    weighted: [f64; 8],
}

impl Default for Totals {
    fn default() -> Self {
        Totals {
            metrics: AppMetrics {
                duration_s: (HEALTH_PERIOD / SEC) as u32,
                ..AppMetrics::default()
            },
            weighted: [0.0; 8],
        }
    }
}

impl Totals {
    pub(crate) fn add(&mut self, m: &AppMetrics) {
        let total = &mut self.metrics;
        total.request_count += m.request_count;
        total.status_2xx += m.status_2xx;
        total.status_3xx += m.status_3xx;
        total.status_4xx += m.status_4xx;
        total.status_5xx += m.status_5xx;
        let ps = [m.p10, m.p50, m.p75, m.p85, m.p90, m.p95, m.p99, m.p999];
        for (w, p) in self.weighted.iter_mut().zip(ps) {
            *w += p.unwrap_or(0.0) * m.request_count as f64;
        }
    }

    pub(crate) fn finish(self) -> AppMetrics {
        let (mut total, weighted) = (self.metrics, self.weighted);
        if total.request_count > 0 {
            let n = total.request_count as f64;
            let avg = |k: usize| Some((weighted[k] / n * 1000.0).round() / 1000.0);
            (total.p10, total.p50, total.p75, total.p85) = (avg(0), avg(1), avg(2), avg(3));
            (total.p90, total.p95, total.p99, total.p999) = (avg(4), avg(5), avg(6), avg(7));
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_rise_and_failing_requests_are_fast() {
        let healthy: Vec<f64> = SHAPE
            .iter()
            .map(|(p, _)| quantile(0.045, 0.0, *p))
            .collect();
        assert!(healthy.windows(2).all(|w| w[0] <= w[1]), "{healthy:?}");
        let p99 = quantile(0.045, 0.0, 0.99);
        assert!((0.2..=0.6).contains(&p99), "p99 {p99}");
        assert_eq!(quantile(0.045, 1.0, 0.99), 0.001);
        assert!(quantile(0.045, 0.5, 0.3) < 0.01 && quantile(0.045, 0.5, 0.9) > 0.05);
    }
}
