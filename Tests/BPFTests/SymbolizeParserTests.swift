import Testing
@testable import BPF

/// The pure parsers of symbolisation: /proc/kallsyms text, /proc/PID/maps text, demangling.
@Suite struct SymbolizeParserTests {
    static let kallsyms = """
        ffffffff81000000 T _stext
        ffffffff81000000 t __pi__text
        ffffffff81000100 T do_one
        ffffffff81000200 D some_data
        ffffffff81000300 t helper_two
        ffffffff81000400 W weak_three
        ffffffffc0026100 t bpf_dispatcher_xdp\t[bpf]
        ffffffffc0010000 t module_func\t[nf_tables]

        """

    @Test func kallsymsResolvesNearestTextSymbol() throws {
        let table = try KernelSymbols(parsing: Array(Self.kallsyms.utf8))
        #expect(table.count == 7)  // the D symbol is not code
        let s = try #require(table.symbolize(0xffff_ffff_8100_0150))
        #expect(s.name == "do_one")
        #expect(s.offset == 0x50)
        #expect(s.module == nil)
        #expect(s.description == "do_one+0x50")
        // At one address the global symbol wins over the local alias.
        #expect(table.symbolize(0xffff_ffff_8100_0000)?.name == "_stext")
        // Data symbols do not split code: 0x250 is still helper... no, do_one (D is skipped).
        #expect(table.symbolize(0xffff_ffff_8100_0250)?.name == "do_one")
        #expect(table.symbolize(0xffff_ffff_8100_0401)?.name == "weak_three")
        #expect(table.symbolize(0xffff_ffff_80ff_ffff) == nil)
    }

    @Test func kallsymsModulesAreSortedAndNamed() throws {
        let table = try KernelSymbols(parsing: Array(Self.kallsyms.utf8))
        let m = try #require(table.symbolize(0xffff_ffff_c001_0010))
        #expect(m.name == "module_func")
        #expect(m.module == "nf_tables")
        #expect(m.description == "module_func+0x10 [nf_tables]")
        #expect(table.symbolize(0xffff_ffff_c002_6100)?.module == "bpf")
        #expect(table.address(of: "helper_two") == 0xffff_ffff_8100_0300)
        #expect(table.address(of: "nope") == nil)
        // Far past the last symbol nothing resolves.
        #expect(table.symbolize(0xffff_ffff_c002_6100 + KernelSymbols.maximumDistance + 1) == nil)
        #expect(Set(table.moduleNames) == ["bpf", "nf_tables"])
    }

    @Test func kallsymsHiddenAddressesAreNamed() {
        let hidden = "0000000000000000 T _stext\n0000000000000000 T do_one\n"
        #expect {
            try KernelSymbols(parsing: Array(hidden.utf8))
        } throws: { error in
            guard case let .notSupported(feature, reason) = error as? BPFError else { return false }
            return feature.contains("kernel symbol addresses") && reason.contains("kptr_restrict")
        }
    }

    @Test(arguments: ["zzzz T x\n", "ffffffff81000000\n", "ffffffff81000000 T\n", "ffffffff81000000 T x [unterminated\n",
                      "11112222333344445 T toolong\n"])
    func kallsymsMalformedLinesAreErrors(_ text: String) {
        #expect {
            try KernelSymbols(parsing: Array(("ffffffff81000000 T ok\n" + text).utf8))
        } throws: { error in
            guard case let .invalidArgument(why) = error as? BPFError else { return false }
            return why.contains("line 2")
        }
    }

    static let maps = """
        560aadd45000-560aadd47000 r--p 00000000 fe:00 253911                     /usr/bin/cat
        560aadd47000-560aadd4c000 r-xp 00002000 fe:00 253911                     /usr/bin/cat
        560ac56e9000-560ac570a000 rw-p 00000000 00:00 0                          [heap]
        7f028110f000-7f0281131000 rw-p 00000000 00:00 0
        7f02811ba000-7f0281310000 r-xp 00026000 fe:00 333151                     /opt/my app/lib with space.so
        7f0281400000-7f0281401000 r-xp 00001000 103:02 42                        /tmp/gone (deleted)
        7ffd1c5f2000-7ffd1c5f4000 r-xp 00000000 00:00 0                          [vdso]

        """

    @Test func mapsFieldsAndPaths() throws {
        let maps = try ProcessMaps.parse(Array(Self.maps.utf8))
        #expect(maps.count == 7)
        let text = maps[1]
        #expect(text.start == 0x560a_add4_7000)
        #expect(text.end == 0x560a_add4_c000)
        #expect(text.permissions == "r-xp")
        #expect(text.isExecutable && text.isReadable && text.isFileBacked && !text.isDeleted)
        #expect(text.fileOffset == 0x2000)
        #expect(text.deviceMajor == 0xfe && text.deviceMinor == 0)
        #expect(text.inode == 253911)
        #expect(text.path == "/usr/bin/cat")
        #expect(text.fileOffset(of: 0x560a_add4_7010) == 0x2010)
        #expect(text.contains(0x560a_add4_7000) && !text.contains(0x560a_add4_c000))
        #expect(maps[2].path == "[heap]" && !maps[2].isFileBacked && !maps[2].isExecutable)
        #expect(maps[3].path == "" && maps[3].inode == 0)
        #expect(maps[4].path == "/opt/my app/lib with space.so")
        #expect(maps[5].isDeleted && maps[5].deviceMajor == 0x103 && maps[5].deviceMinor == 2)
        #expect(maps[6].isExecutable && !maps[6].isFileBacked)
    }

    @Test(arguments: ["560aadd45000 r--p 00000000 fe:00 1 /x\n", "2000-1000 r--p 00000000 fe:00 1 /x\n",
                      "1000-2000 r-p 00000000 fe:00 1 /x\n", "1000-2000 r--p 0000000g fe:00 1 /x\n",
                      "1000-2000 r--p 00000000 fe00 1 /x\n", "1000-2000 r--p 00000000 fe:00 1a /x\n",
                      "1000-11112222333344445555 r--p 0 fe:00 1 /x\n"])
    func mapsMalformedLinesAreErrors(_ line: String) {
        #expect {
            try ProcessMaps.parse(Array(("1000-2000 r-xp 00000000 fe:00 1 /ok\n" + line).utf8))
        } throws: { error in
            guard case let .invalidArgument(why) = error as? BPFError else { return false }
            return why.contains("line 2")
        }
    }

    @Test func demanglesSwiftNames() {
        #expect(Demangler.demangle("$s4main3fooyySiF") == "main.foo(Swift.Int) -> ()")
        #expect(Demangler.demangle("$s4main3fooyySiF", simplified: true) == "foo(_:)")
        #expect(Demangler.isSwiftMangled("$s4main3fooyySiF"))
        #expect(Demangler.isSwiftMangled("_$s4main3fooyySiF"))
        #expect(Demangler.isSwiftMangled("_T04main3fooyyF"))
    }

    @Test func demanglesCxxNames() {
        #expect(Demangler.demangle("_ZN3foo3barEi") == "foo::bar(int)")
        #expect(Demangler.demangle("_ZNSt6vectorIiSaIiEE9push_backERKi")
                == "std::vector<int, std::allocator<int> >::push_back(int const&)")
    }

    @Test(arguments: ["main", "do_one", "_Z", "_Zjunk!", "$s", "", "$sjunk"])
    func plainOrBrokenNamesAreNotDemangled(_ name: String) {
        #expect(Demangler.demangle(name) == nil)
    }

    @Test func symbolDescription() {
        let s = Symbol(name: "$s4main3fooyySiF", demangledName: "main.foo(Swift.Int) -> ()", address: 0x1000, offset: 0x2a, module: "/bin/x")
        #expect(s.displayName == "main.foo(Swift.Int) -> ()")
        #expect(s.description == "main.foo(Swift.Int) -> ()+0x2a [/bin/x]")
    }
}
