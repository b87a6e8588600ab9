//! Signed HTTP send with retries, shared by every provider client.
