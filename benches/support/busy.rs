//! `--busy N`: threads that spin until dropped, loading the CPU a benchmark's clients and
//! servers share.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};

pub struct Busy {
    spinning: Arc<AtomicBool>,
    spinners: Vec<JoinHandle<()>>,
}

impl Busy {
    /// Starts `threads` busy loops.
    pub fn start(threads: usize) -> Busy {
        let spinning = Arc::new(AtomicBool::new(true));
        let spinners = (0..threads)
            .map(|_| {
                let spinning = Arc::clone(&spinning);
                thread::spawn(move || {
                    let mut x = 1_u64;
                    while spinning.load(Ordering::Relaxed) {
                        x = std::hint::black_box(
                            x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1),
                        );
                    }
                })
            })
            .collect();
        Busy { spinning, spinners }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.spinning.store(false, Ordering::Relaxed);
        for spinner in self.spinners.drain(..) {
            let _ = spinner.join();
        }
    }
}
