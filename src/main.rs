//! The `invsync` command.

fn main() {
    println!("invsync");
}
