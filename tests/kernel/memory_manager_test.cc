// The mapping table alone (no stub: Context is null, as for an address
// space that no process runs yet).
#include "kernel/mm/memory_manager.h"

#include <gtest/gtest.h>

#include <cstring>

#include "kernel/platform/stub_layout.h"

namespace sb::kernel::mm {
namespace {

class MemoryManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto f = MemoryFile::Create(uint64_t{1} << 30);
    ASSERT_TRUE(f.ok());
    mf_ = std::move(*f);
    mm_ = std::make_unique<MemoryManager>(*mf_);
  }
  uint64_t MapAnon(uint64_t addr, uint64_t len, int prot,
                   MapRequest::Placement p = MapRequest::Placement::kHint) {
    MapRequest r;
    r.addr = addr;
    r.length = len;
    r.prot = prot;
    r.placement = p;
    auto a = mm_->Map(nullptr, r);
    EXPECT_TRUE(a.ok());
    return a.ok() ? *a : 0;
  }
  void Write(uint64_t addr, const char* s) {
    auto iov = mm_->Translate(addr, strlen(s), PROT_WRITE);
    ASSERT_TRUE(iov.ok());
    memcpy((*iov)[0].iov_base, s, strlen(s));
  }
  std::string Read(uint64_t addr, size_t n) {
    auto iov = mm_->Translate(addr, n, PROT_READ);
    if (!iov.ok()) return "EFAULT";
    std::string out;
    for (auto& v : *iov) out.append(static_cast<char*>(v.iov_base), v.iov_len);
    return out;
  }
  std::unique_ptr<MemoryFile> mf_;
  std::unique_ptr<MemoryManager> mm_;
};

TEST_F(MemoryManagerTest, HintlessMappingsGoTopDownBelowTheStub) {
  uint64_t a = MapAnon(0, 4096, PROT_READ);
  uint64_t b = MapAnon(0, 4096, PROT_READ);
  EXPECT_EQ(a, platform::kStubStart - 4096);
  EXPECT_EQ(b, a - 4096);
}

TEST_F(MemoryManagerTest, FixedMappingReplacesOldContents) {
  uint64_t a = MapAnon(0x10000000, 3 * 4096, PROT_READ | PROT_WRITE, MapRequest::Placement::kFixed);
  Write(a + 4096, "hello");
  MapAnon(a + 4096, 4096, PROT_READ | PROT_WRITE, MapRequest::Placement::kFixed);
  EXPECT_EQ(Read(a + 4096, 5), std::string(5, '\0'));
}

TEST_F(MemoryManagerTest, FixedNoReplaceOnOccupiedRangeIsEEXIST) {
  MapAnon(0x10000000, 4096, PROT_READ, MapRequest::Placement::kFixed);
  MapRequest r;
  r.addr = 0x10000000;
  r.length = 4096;
  r.prot = PROT_READ;
  r.placement = MapRequest::Placement::kFixedNoReplace;
  auto a = mm_->Map(nullptr, r);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().value(), EEXIST);
}

TEST_F(MemoryManagerTest, PartialUnmapLeavesAHole) {
  uint64_t a = MapAnon(0x10000000, 3 * 4096, PROT_READ | PROT_WRITE, MapRequest::Placement::kFixed);
  Write(a, "x");
  Write(a + 2 * 4096, "z");
  ASSERT_TRUE(mm_->Unmap(nullptr, a + 4096, 4096).ok());
  EXPECT_EQ(Read(a, 1), "x");
  EXPECT_EQ(Read(a + 4096, 1), "EFAULT");
  EXPECT_EQ(Read(a + 2 * 4096, 1), "z");
  EXPECT_EQ(mm_->mapped_bytes(), 2 * 4096u);
}

TEST_F(MemoryManagerTest, ProtectChecksEveryPageAndSplits) {
  uint64_t a = MapAnon(0x10000000, 2 * 4096, PROT_READ | PROT_WRITE, MapRequest::Placement::kFixed);
  ASSERT_TRUE(mm_->Protect(nullptr, a, 4096, PROT_READ).ok());
  EXPECT_FALSE(mm_->Translate(a, 1, PROT_WRITE).ok());
  EXPECT_TRUE(mm_->Translate(a + 4096, 1, PROT_WRITE).ok());
  auto r = mm_->Protect(nullptr, a, 4 * 4096, PROT_READ);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().value(), ENOMEM);
}

TEST_F(MemoryManagerTest, RemapGrowsInPlaceOrMovesKeepingContents) {
  uint64_t a = MapAnon(0x10000000, 4096, PROT_READ | PROT_WRITE, MapRequest::Placement::kFixed);
  Write(a, "keep");
  auto grown = mm_->Remap(nullptr, a, 4096, 2 * 4096, 0, 0);
  ASSERT_TRUE(grown.ok());
  EXPECT_EQ(*grown, a);
  // Block further growth, then force a move.
  MapAnon(a + 2 * 4096, 4096, PROT_READ, MapRequest::Placement::kFixed);
  auto stuck = mm_->Remap(nullptr, a, 2 * 4096, 4 * 4096, 0, 0);
  ASSERT_FALSE(stuck.ok());
  EXPECT_EQ(stuck.error().value(), ENOMEM);
  auto moved = mm_->Remap(nullptr, a, 2 * 4096, 4 * 4096, MREMAP_MAYMOVE, 0);
  ASSERT_TRUE(moved.ok());
  EXPECT_NE(*moved, a);
  EXPECT_EQ(Read(*moved, 4), "keep");
  EXPECT_EQ(Read(a, 1), "EFAULT");
}

TEST_F(MemoryManagerTest, BrkGrowsAndShrinks) {
  mm_->SetBrkBase(0x20000000);
  EXPECT_EQ(mm_->Brk(nullptr, 0), 0x20000000u);
  EXPECT_EQ(mm_->Brk(nullptr, 0x20003000), 0x20003000u);
  Write(0x20001000, "heap");
  EXPECT_EQ(mm_->Brk(nullptr, 0x20001800), 0x20001800u);
  EXPECT_EQ(Read(0x20001000, 4), "heap");
  EXPECT_EQ(Read(0x20002000, 1), "EFAULT");
}

TEST_F(MemoryManagerTest, ForkCopiesPrivateAndSharesShared) {
  uint64_t priv = MapAnon(0x10000000, 4096, PROT_READ | PROT_WRITE, MapRequest::Placement::kFixed);
  MapRequest sr;
  sr.addr = 0x10010000;
  sr.length = 4096;
  sr.prot = PROT_READ | PROT_WRITE;
  sr.shared = true;
  sr.placement = MapRequest::Placement::kFixed;
  uint64_t shared = *mm_->Map(nullptr, sr);
  Write(priv, "p1");
  Write(shared, "s1");
  auto child = mm_->Fork();
  ASSERT_TRUE(child.ok());
  Write(priv, "p2");
  Write(shared, "s2");
  auto iov = (*child)->Translate(priv, 2, PROT_READ);
  EXPECT_EQ(std::string(static_cast<char*>((*iov)[0].iov_base), 2), "p1");
  iov = (*child)->Translate(shared, 2, PROT_READ);
  EXPECT_EQ(std::string(static_cast<char*>((*iov)[0].iov_base), 2), "s2");
}

TEST_F(MemoryManagerTest, StubRangeCannotBeMapped) {
  MapRequest r;
  r.addr = platform::kStubStart;
  r.length = 4096;
  r.prot = PROT_READ;
  r.placement = MapRequest::Placement::kFixed;
  EXPECT_FALSE(mm_->Map(nullptr, r).ok());
}

TEST_F(MemoryManagerTest, MapsTextHasLinuxFormat) {
  MapRequest r;
  r.addr = 0x400000;
  r.length = 4096;
  r.prot = PROT_READ | PROT_EXEC;
  r.placement = MapRequest::Placement::kFixed;
  r.name = "/bin/x";
  r.dev = (8 << 8) | 1;
  r.ino = 42;
  ASSERT_TRUE(mm_->Map(nullptr, r).ok());
  EXPECT_EQ(mm_->MapsText(),
            "00400000-00401000 r-xp 00000000 08:01 42" + std::string(33, ' ') + "/bin/x\n");
}

}  // namespace
}  // namespace sb::kernel::mm
