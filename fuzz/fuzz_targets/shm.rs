//! The shared-memory server against a client that writes anything: ring entries, slot
//! contents, control words and wakeups, in any order (`weftbuf_rpc::shm::fuzzing`). The
//! server must not panic, and its session must end once the client hangs up.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    weftbuf_rpc::shm::fuzzing::run_session(data);
});
