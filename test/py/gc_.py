import gc
gc.collect()
before = gc.mem_alloc()
junk = [list(range(100)) for i in range(20)]
during = gc.mem_alloc()
junk = None
gc.collect()
after = gc.mem_alloc()
print(during > before, after < during, gc.mem_free() > 0)
# garbage far beyond the heap size is reclaimed as it goes
for i in range(2000):
    s = [i] * 200
print('survived', len(s))
