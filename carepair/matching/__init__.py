"""Big data comparison (大数据比对): the record-linkage engine (`engine`, no Django inside)
and, around it, its command line; the in-app part comes later."""
