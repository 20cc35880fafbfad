#include "kernel/base/memory_file.h"

#include <gtest/gtest.h>

#include <cstring>

namespace sb {
namespace {

TEST(MemoryFileTest, AllocateFreeReusesAndCoalesces) {
  auto mf = MemoryFile::Create(uint64_t{1} << 30);
  ASSERT_TRUE(mf.ok());
  auto a = (*mf)->Allocate(4096);
  auto b = (*mf)->Allocate(8192);
  auto c = (*mf)->Allocate(4096);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, 0u);
  EXPECT_EQ(*b, 4096u);
  EXPECT_EQ(*c, 12288u);
  EXPECT_EQ((*mf)->allocated(), 16384u);
  (*mf)->Free(*a, 4096);
  (*mf)->Free(*b, 8192);
  // The two freed ranges coalesce: a 12 KiB request fits at offset 0.
  auto d = (*mf)->Allocate(12288);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, 0u);
}

TEST(MemoryFileTest, FreedMemoryReadsZeroAgain) {
  auto mf = MemoryFile::Create(uint64_t{1} << 30);
  ASSERT_TRUE(mf.ok());
  auto off = (*mf)->Allocate(4096);
  ASSERT_TRUE(off.ok());
  memset((*mf)->HostAddress(*off), 0xab, 4096);
  (*mf)->Free(*off, 4096);
  auto again = (*mf)->Allocate(4096);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *off);
  EXPECT_EQ((*mf)->HostAddress(*again)[100], 0);
}

TEST(MemoryFileTest, FullFileIsENOMEM) {
  auto mf = MemoryFile::Create(8192);
  ASSERT_TRUE(mf.ok());
  EXPECT_TRUE((*mf)->Allocate(8192).ok());
  auto r = (*mf)->Allocate(4096);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().value(), ENOMEM);
}

}  // namespace
}  // namespace sb
