DECLARE @result INT;
EXEC @result = sp_getapplock @Resource = @p2, @LockMode = N'Exclusive',
    @LockOwner = N'Transaction', @LockTimeout = @p1;
SELECT @result;
