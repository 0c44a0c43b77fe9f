// Globals of a Swift program: a load-time constant in .rodata (C's const volatile), a .data
// global with an initial value and a .bss one. The XDP program returns `verdict`, adds
// `step` to `total` (starting at 1000) and counts its runs in `runs`.

let license = License("GPL")
let verdict = LoadTimeConstant<Int32>(2)
let step = LoadTimeConstant<UInt64>(1)

public var total: UInt64 = 1000
public var runs: UInt64 = 0

@_cdecl("return_verdict") @section("xdp")
public func returnVerdict(_ context: UnsafeMutableRawPointer) -> Int32 {
    total &+= step
    runs &+= 1
    return verdict
}
