//! libFuzzer entry point: every input is a sequence of steps run by [`defaas_fuzz::run`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| defaas_fuzz::run(data));
