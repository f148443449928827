// Byte sources and sinks for the file readers/writers: memory or file, with the remaining input
// always known (so parsers can validate lengths before trusting them), and an atomic file write
// (temporary file in the same directory, fsync, rename).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mixnet::io {

// Sequential input of known size. Read() requires n <= remaining() (callers check first and
// report the problem in their own words).
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  uint64_t size() const { return size_; }
  uint64_t pos() const { return pos_; }
  uint64_t remaining() const { return size_ - pos_; }
  void Read(void* dst, uint64_t n);

 protected:
  virtual void ReadImpl(void* dst, uint64_t n) = 0;
  uint64_t size_ = 0;
  uint64_t pos_ = 0;
};

class MemorySource : public ByteSource {
 public:
  MemorySource(const void* data, size_t size) : data_(static_cast<const uint8_t*>(data)) {
    size_ = size;
  }

 private:
  void ReadImpl(void* dst, uint64_t n) override;
  const uint8_t* data_;
};

// A regular file, read through a small buffer (many 4- and 8-byte fields) except for large
// reads, which go straight into the destination. NotFound for a missing file, IOError when it
// cannot be opened or read, or is not a regular file.
class FileSource : public ByteSource {
 public:
  explicit FileSource(const std::string& path);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

 private:
  void ReadImpl(void* dst, uint64_t n) override;
  void ReadFromFd(void* dst, uint64_t n);
  std::string path_;
  int fd_ = -1;
  std::vector<uint8_t> buf_;
  size_t buf_pos_ = 0;
  size_t buf_len_ = 0;
};

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual void Write(const void* data, size_t n) = 0;
};

class StringSink : public ByteSink {
 public:
  void Write(const void* data, size_t n) override {
    str.append(static_cast<const char*>(data), n);
  }
  std::string str;
};

// Calls write(sink) with a sink on a new temporary file next to `path`, then flushes, fsyncs and
// renames it over `path`. If anything fails (write throws, disk full, rename refused) the
// temporary file is removed, `path` is untouched, and the error propagates (IOError naming the
// path and the system error for I/O failures).
void WriteFileAtomically(const std::string& path, const std::function<void(ByteSink&)>& write);

}  // namespace mixnet::io
