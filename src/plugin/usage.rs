//! The process's own CPU time, for the line it logs when it stops: with
//! `TF_LOG_PROVIDER=debug`, what each provider process cost Terraform's run can be read from
//! the log (`make bench` sums it over a whole `terraform plan`).

use std::time::Duration;

/// User and system CPU time this process has used so far.
pub fn cpu_time() -> Option<(Duration, Duration)> {
    // SAFETY: getrusage only writes into the zeroed struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut usage) != 0 {
            return None;
        }
        usage
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    };
    Some((time(usage.ru_utime), time(usage.ru_stime)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_grows_with_work() {
        let (user_before, _) = cpu_time().expect("getrusage works on Linux");
        let began = std::time::Instant::now();
        let mut x = 0u64;
        while began.elapsed() < Duration::from_millis(30) {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        let (user_after, _) = cpu_time().unwrap();
        assert!(
            user_after > user_before,
            "{user_before:?} -> {user_after:?}"
        );
    }
}
