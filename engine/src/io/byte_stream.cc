#include "io/byte_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "common/error.h"

namespace mixnet::io {

namespace {

std::string SysError(int err) { return std::strerror(err); }

// Writes through a buffer so the many small header fields cost one syscall per buffer, not one
// each; large writes go straight to the file.
class FdSink : public ByteSink {
 public:
  FdSink(int fd, const std::string& path) : fd_(fd), path_(path) { buf_.reserve(kBufSize); }

  void Write(const void* data, size_t n) override {
    if (buf_.size() + n > kBufSize) Flush();
    if (n >= kBufSize) {
      WriteAll(data, n);
    } else {
      const auto* p = static_cast<const uint8_t*>(data);
      buf_.insert(buf_.end(), p, p + n);
    }
  }

  void Flush() {
    if (!buf_.empty()) WriteAll(buf_.data(), buf_.size());
    buf_.clear();
  }

 private:
  static constexpr size_t kBufSize = 1 << 16;

  void WriteAll(const void* data, size_t n) {
    const auto* p = static_cast<const uint8_t*>(data);
    while (n > 0) {
      const ssize_t w = ::write(fd_, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        MX_THROW(IOError) << "cannot write '" << path_ << "': " << SysError(errno);
      }
      p += w;
      n -= static_cast<size_t>(w);
    }
  }

  int fd_;
  std::string path_;
  std::vector<uint8_t> buf_;
};

// A name no other writer (thread or process) uses: path.tmp.<pid>.<counter>.
std::string TempNameFor(const std::string& path, int attempt) {
  static std::atomic<uint64_t> counter{0};
  return path + ".tmp." + std::to_string(::getpid()) + "." +
         std::to_string(counter.fetch_add(1)) + (attempt ? "." + std::to_string(attempt) : "");
}

}  // namespace

void ByteSource::Read(void* dst, uint64_t n) {
  MX_CHECK(n <= remaining(), Internal)
      << "ByteSource::Read past the end (" << n << " > " << remaining() << ")";
  if (n == 0) return;
  ReadImpl(dst, n);
  pos_ += n;
}

void MemorySource::ReadImpl(void* dst, uint64_t n) { std::memcpy(dst, data_ + pos_, n); }

FileSource::FileSource(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    const int err = errno;
    if (err == ENOENT) MX_THROW(NotFound) << "cannot load '" << path << "': no such file";
    MX_THROW(IOError) << "cannot open '" << path << "': " << SysError(err);
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    const int err = errno;
    ::close(fd_);
    MX_THROW(IOError) << "cannot stat '" << path << "': " << SysError(err);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd_);
    MX_THROW(IOError) << "cannot load '" << path << "': not a regular file";
  }
  size_ = static_cast<uint64_t>(st.st_size);
  buf_.resize(1 << 16);
}

FileSource::~FileSource() {
  if (fd_ >= 0) ::close(fd_);
}

void FileSource::ReadImpl(void* dst, uint64_t n) {
  auto* out = static_cast<uint8_t*>(dst);
  const size_t from_buf = std::min<uint64_t>(n, buf_len_ - buf_pos_);
  std::memcpy(out, buf_.data() + buf_pos_, from_buf);
  buf_pos_ += from_buf;
  out += from_buf;
  n -= from_buf;
  if (n == 0) return;
  if (n >= buf_.size()) {
    ReadFromFd(out, n);
    return;
  }
  // Refill with what the file still holds (bounded by the buffer), then serve from it.
  const size_t want = std::min<uint64_t>(buf_.size(), remaining() - from_buf);
  ReadFromFd(buf_.data(), want);
  buf_len_ = want;
  std::memcpy(out, buf_.data(), n);
  buf_pos_ = n;
}

void FileSource::ReadFromFd(void* dst, uint64_t n) {
  auto* p = static_cast<uint8_t*>(dst);
  while (n > 0) {
    const ssize_t r = ::read(fd_, p, n);
    if (r < 0) {
      if (errno == EINTR) continue;
      MX_THROW(IOError) << "cannot read '" << path_ << "': " << SysError(errno);
    }
    if (r == 0) {
      MX_THROW(IOError) << "cannot read '" << path_ << "': the file shrank while being read";
    }
    p += r;
    n -= static_cast<uint64_t>(r);
  }
}

void WriteFileAtomically(const std::string& path, const std::function<void(ByteSink&)>& write) {
  MX_CHECK(!path.empty(), IOError) << "cannot save: empty file name";
  std::string tmp;
  int fd = -1;
  // O_EXCL with a unique name; the mode 0666 is filtered by the umask like any new file.
  for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
    tmp = TempNameFor(path, attempt);
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    MX_THROW(IOError) << "cannot save '" << path << "': cannot create a temporary file there: "
                      << SysError(errno);
  }
  try {
    FdSink sink(fd, path);
    write(sink);
    sink.Flush();
    if (::fsync(fd) != 0) {
      MX_THROW(IOError) << "cannot save '" << path << "': fsync failed: " << SysError(errno);
    }
    const int rc = ::close(fd);
    fd = -1;
    if (rc != 0) {
      MX_THROW(IOError) << "cannot save '" << path << "': close failed: " << SysError(errno);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      MX_THROW(IOError) << "cannot save '" << path << "': " << SysError(errno);
    }
  } catch (...) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
}

}  // namespace mixnet::io
