//! A local stand-in for the COS and OSS inventory APIs, for demos and tests.
