//! One generic poller for every wait: exponential backoff with jitter, a deadline, and prompt
//! cancellation when Terraform stops the provider. Time comes from tokio, so tests run with
//! a paused clock and a thirty-minute wait takes milliseconds.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// What one probe saw.
pub enum Probe<T> {
    /// Done, with the result.
    Ready(T),
    /// Not yet; the status seen, for messages.
    Pending(String),
}

/// How a wait ended without success.
#[derive(Debug, PartialEq)]
pub enum WaitError<E> {
    /// The deadline passed; the last status seen.
    TimedOut(Option<String>),
    /// Terraform asked the provider to stop; the last status seen.
    Cancelled(Option<String>),
    /// A probe failed with an error that polling again would not fix.
    Failed(E),
}

/// Delays between probes.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    /// First delay.
    pub initial: Duration,
    /// Upper bound: how late a change may be noticed.
    pub max: Duration,
}

/// Polls `probe` until it is ready, the deadline passes, or `cancel` fires.
pub async fn poll<T, E, F, Fut>(
    cancel: &CancellationToken,
    deadline: Instant,
    backoff: Backoff,
    mut probe: F,
) -> Result<T, WaitError<E>>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<Probe<T>, E>>,
{
    let mut delay = backoff.initial;
    let mut last_status = None;
    let mut jitter = Jitter::seeded();
    for attempt in 1.. {
        let outcome = tokio::select! {
            _ = cancel.cancelled() => return Err(WaitError::Cancelled(last_status)),
            outcome = probe(attempt) => outcome,
        };
        match outcome.map_err(WaitError::Failed)? {
            Probe::Ready(value) => return Ok(value),
            Probe::Pending(status) => last_status = Some(status),
        }

        let now = Instant::now();
        if now >= deadline {
            return Err(WaitError::TimedOut(last_status));
        }
        // Sleep at most until the deadline, then probe one last time.
        let sleep = jitter.apply(delay).min(deadline - now);
        tokio::select! {
            _ = cancel.cancelled() => return Err(WaitError::Cancelled(last_status)),
            _ = tokio::time::sleep(sleep) => {}
        }
        delay = (delay * 2).min(backoff.max);
    }
    unreachable!("the attempt counter is unbounded")
}

/// A tiny xorshift generator: jitter needs spread, not cryptographic randomness.
struct Jitter(u64);

impl Jitter {
    fn seeded() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos() as u64)
            .unwrap_or(1);
        Self(nanos | 1)
    }

    /// Scales `delay` by a factor in [0.75, 1.0], so parallel waiters drift apart.
    fn apply(&mut self, delay: Duration) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        let factor = 0.75 + (self.0 % 1000) as f64 / 4000.0;
        delay.mul_f64(factor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: Backoff = Backoff {
        initial: Duration::from_secs(1),
        max: Duration::from_secs(5),
    };

    #[tokio::test(start_paused = true)]
    async fn returns_when_ready() {
        let cancel = CancellationToken::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        let result: Result<u32, WaitError<()>> = poll(&cancel, deadline, FAST, |n| async move {
            Ok(if n == 4 {
                Probe::Ready(n)
            } else {
                Probe::Pending("PENDING".into())
            })
        })
        .await;
        assert_eq!(result, Ok(4));
    }

    #[tokio::test(start_paused = true)]
    async fn times_out_with_last_status_near_the_deadline() {
        let cancel = CancellationToken::new();
        let start = Instant::now();
        let deadline = start + Duration::from_secs(30 * 60);
        let result: Result<(), WaitError<()>> = poll(&cancel, deadline, FAST, |_| async {
            Ok(Probe::Pending("ERROR".into()))
        })
        .await;
        assert_eq!(result, Err(WaitError::TimedOut(Some("ERROR".into()))));
        let waited = Instant::now() - start;
        assert!(
            waited >= Duration::from_secs(30 * 60) && waited < Duration::from_secs(30 * 60 + 6)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn cancellation_ends_the_wait_promptly() {
        let cancel = CancellationToken::new();
        let deadline = Instant::now() + Duration::from_secs(3600);
        let trigger = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(7)).await;
            trigger.cancel();
        });
        let start = Instant::now();
        let result: Result<(), WaitError<()>> = poll(&cancel, deadline, FAST, |_| async {
            Ok(Probe::Pending("PENDING".into()))
        })
        .await;
        assert_eq!(result, Err(WaitError::Cancelled(Some("PENDING".into()))));
        assert!(Instant::now() - start < Duration::from_secs(8));
    }

    #[tokio::test(start_paused = true)]
    async fn delays_never_exceed_the_cap() {
        let cancel = CancellationToken::new();
        let deadline = Instant::now() + Duration::from_secs(600);
        let mut seen = Vec::new();
        let _: Result<(), WaitError<()>> = poll(&cancel, deadline, FAST, |_| {
            seen.push(Instant::now());
            async { Ok(Probe::Pending("PENDING".into())) }
        })
        .await;
        let max_gap = seen.windows(2).map(|w| w[1] - w[0]).max().unwrap();
        assert!(max_gap <= Duration::from_secs(5), "gap {max_gap:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn probe_errors_end_the_wait() {
        let cancel = CancellationToken::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        let result: Result<(), WaitError<&str>> =
            poll(&cancel, deadline, FAST, |_| async { Err("AccessDenied") }).await;
        assert_eq!(result, Err(WaitError::Failed("AccessDenied")));
    }
}
