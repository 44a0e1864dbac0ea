import struct, sys
src, dst = sys.argv[1], sys.argv[2]
b = bytearray(open(src, 'rb').read())
assert b[:8] == b'LPKSHHRH'
header_size, arena_size = struct.unpack_from('<QQ', b, 88)
tail = struct.unpack_from('<Q', b, 136)[0]
osize = struct.unpack_from('<Q', b, tail + 8)[0]
end = tail + ((osize + 7) & ~7)
print('header', header_size, 'arena', arena_size, 'tail', tail, 'obj', osize, 'end', end, 'state', b[16])
struct.pack_into('<Q', b, 96, end - header_size)
open(dst, 'wb').write(bytes(b[:end]))
