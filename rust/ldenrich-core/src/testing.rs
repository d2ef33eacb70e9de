//! Helpers shared by the unit tests.

/// The next value of Marsaglia's xorshift64 generator: cheap, deterministic random test data.
pub fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}
