//! Locking that survives a panic elsewhere.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `mutex`, taking the data as it is if another thread panicked while holding it: every
/// value this crate keeps behind a lock stays valid between statements, so poisoning carries
/// no meaning here, and a panic must not spread to every later call.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
